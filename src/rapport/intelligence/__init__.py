"""Listening intelligence: language, sentiment, intent, topics and trends in what customers say."""
