"""Engagement: cases, routing rules, SLAs, assignment, replies, notes, notifications, audit."""
