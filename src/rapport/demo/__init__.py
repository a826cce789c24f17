"""Rapport's own demo workspace: conversations written for it, loaded through the real pipeline.

The conversations live in ``data/<channel>.jsonl`` (Rapport's generic JSON-lines format, with
``offset_minutes`` before load time instead of ``sent_at``, so the inbox always looks recent).
"""
