"""Topics: what the customer messages of a period are about, clustered and labelled."""

from rapport.intelligence.topics.service import TopicReport, top_topics
from rapport.intelligence.topics.summary import Topic, TopicPost

__all__ = ["Topic", "TopicPost", "TopicReport", "top_topics"]
