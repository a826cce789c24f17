"""Alerts: rules that watch a trend and tell people (in the app, by e-mail, by webhook)
when a subject's volume or negative share jumps, with the posts that caused it."""
