"""Topics of hand-written messages: the clusters a person would make, with readable labels."""

from __future__ import annotations

from tests.unit.intelligence.topics.texts import BILLING, DELIVERY, PERSIAN_DELIVERY

from rapport.intelligence.topics.model import fit_topic_model, topic_terms
from rapport.intelligence.topics.summary import Topic, TopicPost, TopicTally, make_label

ALL = DELIVERY + BILLING + PERSIAN_DELIVERY


def _posts() -> list[TopicPost]:
    return [
        TopicPost(n, 100 + n, text, "fa" if text in PERSIAN_DELIVERY else "en",
                  "negative" if n % 2 else "neutral")
        for n, text in enumerate(ALL, 1)
    ]  # fmt: skip


def _topics(count: int | None = None, examples: int = 3) -> list[Topic]:
    tally = TopicTally(fit_topic_model(ALL, count))
    tally.add(_posts())
    return tally.topics(examples=examples)


def _members(topic: Topic) -> set[str]:
    by_id = {post.message_id: post.text for post in _posts()}
    return {by_id[n] for n in topic.members}


def test_three_subjects_make_three_topics() -> None:
    topics = _topics()
    groups = {frozenset(_members(topic)) for topic in topics}
    assert groups == {frozenset(DELIVERY), frozenset(BILLING), frozenset(PERSIAN_DELIVERY)}
    assert [topic.size for topic in topics] == [10, 10, 10]
    assert all(topic.share == round(10 / 30, 4) for topic in topics)


def test_labels_are_the_distinctive_words_in_the_topics_language() -> None:
    labels = {frozenset(_members(t)) == frozenset(PERSIAN_DELIVERY): t.label for t in _topics()}
    persian = labels[True]
    assert all("\u0600" <= ch <= "\u06ff" or ch in ", " for ch in persian), persian
    english = {t.label for t in _topics() if frozenset(_members(t)) != frozenset(PERSIAN_DELIVERY)}
    assert any("delivery" in label or "parcel" in label for label in english)
    assert any("invoice" in label or "payment" in label or "billing" in label for label in english)


def test_each_topic_reports_sentiment_languages_and_distinct_examples() -> None:
    for topic in _topics(examples=4):
        assert sum(topic.sentiment.values()) == topic.size
        assert topic.sentiment["negative"] == 5
        assert len(topic.languages) == 1
        assert len(topic.examples) == 4
        assert len({post.text for post in topic.examples}) == 4
        assert {post.text for post in topic.examples} <= _members(topic)


def test_same_texts_give_the_same_topics() -> None:
    first, second = _topics(), _topics()
    assert [(t.label, t.members) for t in first] == [(t.label, t.members) for t in second]


def test_asking_for_fewer_topics_merges_subjects() -> None:
    topics = _topics(count=2)
    assert len(topics) <= 2
    persian = [t for t in topics if _members(t) & set(PERSIAN_DELIVERY)]
    assert len(persian) == 1
    assert _members(persian[0]) == set(PERSIAN_DELIVERY)


def test_handles_links_and_function_words_are_not_terms_but_hashtags_are() -> None:
    terms = topic_terms("@fjordandpine Where is my parcel? https://t.co/x #LateAgain the parcel")
    assert "parcel" in terms
    assert "#lateagain" in terms
    assert not any(t.startswith("@") or "http" in t or t in ("where", "the") for t in terms)
    assert "parcel #lateagain" in terms


def test_a_label_uses_a_word_pair_for_its_own_words_and_repeats_nothing() -> None:
    assert make_label(["charged", "twice", "charged twice", "invoice"]) == "charged twice, invoice"
    assert make_label(["هنوز نرسیده", "سفارش هنوز", "بسته"]) == "هنوز نرسیده, بسته"
    assert make_label([]) == "(no words)"


def test_texts_without_words_give_no_topics() -> None:
    tally = TopicTally(fit_topic_model(["@a https://x.example", "123 456", "!!!"]))
    tally.add([TopicPost(1, 1, "@a https://x.example", None, None)])
    assert tally.topics() == []
    assert tally.unassigned == 1
