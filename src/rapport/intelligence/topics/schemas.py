"""The topics as data: what the API returns and ``rapport topics --json`` prints."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from rapport.intelligence.topics.service import TopicReport
from rapport.intelligence.topics.summary import TopicDay
from rapport.intelligence.trends.buckets import time_zone


class TopicExampleOut(BaseModel):
    message_id: int
    conversation_id: int
    text: str
    language: str | None
    sentiment: str | None


class LanguageCountOut(BaseModel):
    language: str
    messages: int


class TopicDayOut(BaseModel):
    day: date = Field(description="The local day (in the report's tz).")
    start: datetime = Field(description="When that day starts, with the zone's offset.")
    messages: int = Field(description="The topic's customer messages of the day.")
    negative: int = Field(description="Of them, those read as negative.")


class TopicOut(BaseModel):
    label: str = Field(description="The topic's two or three most distinctive terms.")
    terms: list[str] = Field(description="Its most distinctive terms, most first.")
    size: int = Field(description="Customer messages in the topic.")
    share: float = Field(description="Its share of the period's customer messages (0..1).")
    sentiment: dict[str, int] = Field(
        description="Messages per sentiment (negative, neutral, positive; unread if any)."
    )
    languages: list[LanguageCountOut] = Field(description="Its three most used languages.")
    examples: list[TopicExampleOut] = Field(description="Posts closest to its centre.")
    days: list[TopicDayOut] = Field(
        description="Its messages per local day of the period, oldest first, every day present."
    )


class TopicsOut(BaseModel):
    since: datetime | None
    until: datetime | None
    channel: str | None
    language: str | None
    tz: str = Field(description="The time zone the topics' days are cut in.")
    messages: int = Field(description="Customer messages in the period.")
    unassigned: int = Field(description="Of them, those in no topic.")
    topics: list[TopicOut]


def _days(days: tuple[TopicDay, ...], tz: str) -> list[TopicDayOut]:
    zone = time_zone(tz)
    return [
        TopicDayOut(
            day=d.day, start=d.start.astimezone(zone), messages=d.messages, negative=d.negative
        )
        for d in days
    ]


def topics_out(report: TopicReport) -> TopicsOut:
    scope = report.scope
    return TopicsOut(
        since=scope.since,
        until=scope.until,
        channel=scope.channel,
        language=scope.language,
        tz=report.tz,
        messages=report.messages,
        unassigned=report.unassigned,
        topics=[
            TopicOut(
                label=topic.label,
                terms=list(topic.terms),
                size=topic.size,
                share=topic.share,
                sentiment=topic.sentiment,
                languages=[LanguageCountOut(language=k, messages=n) for k, n in topic.languages],
                examples=[
                    TopicExampleOut(
                        message_id=post.message_id,
                        conversation_id=post.conversation_id,
                        text=post.text,
                        language=post.language,
                        sentiment=post.sentiment,
                    )
                    for post in topic.examples
                ],
                days=_days(topic.days, report.tz),
            )
            for topic in report.topics
        ],
    )
