"""X (Twitter): the twcs research CSV and X API v2 tweet objects."""
