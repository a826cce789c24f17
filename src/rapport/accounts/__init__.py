"""Workspaces, users, roles, passwords and API tokens."""
