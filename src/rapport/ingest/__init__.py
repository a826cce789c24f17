"""Ingest: turn platform payloads into stored, threaded conversations."""
