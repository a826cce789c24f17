"""Trends: inbound volume and sentiment over time, and spike detection robust to daily and
weekly cycles. Alert rules that act on them live in ``rapport.intelligence.alerts``."""
