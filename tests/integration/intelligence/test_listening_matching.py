"""Listening queries over stored messages: matching, variants, periods, channels, share of
voice, and the full-text index never changing an answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.integration.intelligence.listening_support import (
    T0,
    ScriptAnalyzer,
    message,
    store_mentions,
)

from rapport.errors import Conflict, InvalidInput, NotFound
from rapport.ingest.service import ingest_messages
from rapport.intelligence.listening import store
from rapport.intelligence.listening.expression import InvalidQuery
from rapport.intelligence.listening.matcher import Matcher, index_need
from rapport.intelligence.listening.matching import list_matches, matching_messages
from rapport.intelligence.listening.queries import (
    add_query,
    edit_query,
    get_query,
    query_history,
    remove_query,
)
from rapport.intelligence.listening.service import voice_of_queries
from rapport.store.db import Database
from rapport.store.models import ChannelKind, Message


def _ext_ids(db: Database, ws: int, query: str, **scope: object) -> list[str]:
    with db.session() as session:
        ids = [m.message_id for m in matching_messages(session, ws, query, **scope)]  # type: ignore[arg-type]
        if not ids:
            return []
        rows = session.execute(select(Message.id, Message.external_id).where(Message.id.in_(ids)))
        by_id = {message_id: ext for message_id, ext in rows}
    return [by_id[i] for i in ids]


def test_customers_messages_that_match(db: Database, workspace_id: int) -> None:
    store_mentions(db, workspace_id)
    assert _ext_ids(db, workspace_id, "vetur") == ["m1", "m2", "m7", "m3"]
    assert _ext_ids(db, workspace_id, '"fjord & pine" OR @fjordandpine') == ["m1", "m2", "m7"]
    assert _ext_ids(db, workspace_id, "vetur -snapped -nordkamm") == ["m1", "m3"]
    assert _ext_ids(db, workspace_id, "tjald*") == ["m3"]  # Icelandic, accents aside
    assert _ext_ids(db, workspace_id, "tromso") == ["m5"]
    # The company's own reply says Vetur too; it is a mention only when asked for.
    assert "r1" not in _ext_ids(db, workspace_id, "vetur")
    assert "r1" in _ext_ids(db, workspace_id, "vetur", direction=None)


def test_period_bounds_and_channel(db: Database, workspace_id: int) -> None:
    store_mentions(db, workspace_id)
    since, until = T0 + timedelta(minutes=10), T0 + timedelta(minutes=60)
    # since is inclusive, until exclusive
    assert _ext_ids(db, workspace_id, "vetur", since=since, until=until) == ["m2", "m3"]
    assert _ext_ids(db, workspace_id, "vetur", channel="email") == ["m3"]
    assert _ext_ids(db, workspace_id, "vetur", channel="nowhere") == []


def test_matches_carry_readings_and_unread_messages_have_none(
    db: Database, workspace_id: int
) -> None:
    store_mentions(db, workspace_id)
    ingest_messages(
        db,
        workspace_id=workspace_id,
        channel_name="feed",
        kind=ChannelKind.API,
        messages=[message("u1", "Vetur, unread", 5, author="zed")],
    )
    with db.session() as session:
        found = {m.channel: m for m in matching_messages(session, workspace_id, "vetur")}
    assert (found["email"].language, found["email"].sentiment) == ("is", "positive")
    assert (found["feed"].language, found["feed"].sentiment, found["feed"].intent) == (
        None,
        None,
        None,
    )
    assert found["email"].received_at == T0 + timedelta(minutes=20)


def test_language_variants(db: Database, workspace_id: int) -> None:
    store_mentions(db, workspace_id)
    with db.session() as session:
        add_query(
            session,
            workspace_id,
            "Hekla",
            '"hekla sleeping bag" OR hekla*',
            kind="product",
            variants={"fa": "هکلا", "is": "nothing-icelandic-matches"},
        )
    with db.session() as session:
        query = get_query(session, workspace_id, "Hekla")
        channels = sorted(m.channel for m in matching_messages(session, workspace_id, query))
    assert channels == ["email", "x"]  # m5 by the default expression, m4 by the Persian one


def test_share_of_voice_counts_a_message_for_every_brand_it_mentions(
    db: Database, workspace_id: int
) -> None:
    store_mentions(db, workspace_id)
    with db.session() as session:
        add_query(session, workspace_id, "Fjord & Pine", '"fjord & pine" OR @fjordandpine')
        add_query(session, workspace_id, "Nordkamm", "nordkamm", kind="competitor")
        add_query(session, workspace_id, "Vetur", "vetur", kind="product")
    with db.session() as session:
        brands = voice_of_queries(session, workspace_id)
        versus = voice_of_queries(session, workspace_id, names=["Fjord & Pine", "Nordkamm"])
        later = voice_of_queries(
            session, workspace_id, names=["Vetur"], since=T0 + timedelta(minutes=5)
        )
    assert [(v.name, v.mentions) for v in brands.voices] == [("Fjord & Pine", 3)]
    fp, nk = versus.voices
    assert (fp.mentions, nk.mentions, versus.total_mentions, versus.messages) == (3, 2, 5, 4)
    assert fp.share == pytest.approx(0.6)
    assert (fp.negative, fp.neutral, fp.positive) == (1, 1, 1)
    assert (nk.negative, nk.neutral, nk.positive, nk.net_sentiment) == (0, 1, 1, 0.5)
    assert fp.channels == {"x": 3}
    [vetur] = later.voices
    assert (vetur.mentions, vetur.channels) == (3, {"x": 2, "email": 1})
    with db.session() as session, pytest.raises(InvalidInput, match="no campaign queries"):
        voice_of_queries(session, workspace_id, kind="campaign")


def test_a_page_of_matches_newest_first_with_total(db: Database, workspace_id: int) -> None:
    store_mentions(db, workspace_id)
    with db.session() as session:
        page = list_matches(session, workspace_id, "vetur", limit=2, offset=1)
    assert page.total == 4
    assert [shown.text[:12] for shown in page.items] == ["Tjaldið Vetu", "The Vetur po"]


TRICKY = [
    ("t1", "Hauptstraße refund please"),  # ß folds to ss
    ("t2", "ﬁnally a refund"),  # a ligature
    ("t3", "\uff32\uff25\uff26\uff35\uff2e\uff24 in full width"),  # REFUND, full width
    ("t4", "cafe\u0301 refund, written decomposed"),
    ("t5", "۳۸ فرانک گمرک"),  # Persian digits
    ("t6", "refund_request filed"),
    ("t7", "Café refund"),
    ("t8", "plain ascii refund"),
    ("t9", "nothing to see"),
    ("t10", "\ue000refund in private use"),
    ("t11", "strasse refund"),
    ("t12", "finally 38 francs"),
]


def _store_tricky(db: Database, workspace_id: int) -> None:
    ingest_messages(
        db,
        workspace_id=workspace_id,
        channel_name="x",
        kind=ChannelKind.TWITTER,
        messages=[message(ext, text, n) for n, (ext, text) in enumerate(TRICKY)],
        analyzer=ScriptAnalyzer(),
    )


@pytest.mark.parametrize(
    "expression",
    [
        "refund",
        "refund*",
        "finally",
        "cafe refund",
        "38",
        '"full width"',
        "strasse OR hauptstrasse",
        "refund_request",
        "refund -cafe",
        "francs OR nothing",
    ],
)
def test_the_index_never_changes_an_answer(
    db: Database, workspace_id: int, expression: str
) -> None:
    _store_tricky(db, workspace_id)
    matcher = Matcher.of(expression)
    expected = sorted(ext for ext, text in TRICKY if matcher.matches(text))
    assert sorted(_ext_ids(db, workspace_id, expression)) == expected


def test_the_prefilter_reads_only_candidates(db: Database, workspace_id: int) -> None:
    # On SQLite the full-text index, on PostgreSQL substring tests: either way the
    # messages without the word stay in the database, except those with a character the
    # matcher may fold into ASCII letters, which are read for the matcher to decide.
    _store_tricky(db, workspace_id)
    need = index_need(Matcher.of("francs OR nothing").tree)
    with db.session() as session:
        read = [
            row.text
            for batch in store.message_batches(session, store.Scope(workspace_id), need=need)
            for row in batch
        ]
    texts = dict(TRICKY)
    # the two that hold a word are read; plain ASCII ones without it are not
    assert {texts["t9"], texts["t12"]} <= set(read)
    assert not {texts["t8"], texts["t6"]} & set(read)
    # é, full-width letters and Persian digits fold into ASCII: these may hold a word
    assert {texts["t7"], texts["t3"], texts["t5"]} <= set(read)
    assert len(read) < len(TRICKY)


def test_batches_cover_every_message_once(db: Database, workspace_id: int) -> None:
    store_mentions(db, workspace_id)
    with db.session() as session:
        batches = list(store.message_batches(session, store.Scope(workspace_id), batch=3))
    assert [len(b) for b in batches] == [3, 3, 1]
    ids = [row.id for b in batches for row in b]
    assert ids == sorted(set(ids))


def test_named_queries_are_audited(db: Database, workspace_id: int) -> None:
    with db.session() as session:
        add_query(session, workspace_id, "Vetur", "vetur", kind="product")
        with pytest.raises(Conflict, match="exists already"):
            add_query(session, workspace_id, "Vetur", "tent")
        with pytest.raises(InvalidQuery, match="unclosed quote at character 7"):
            add_query(session, workspace_id, "Other", 'vetur "tent')
        with pytest.raises(InvalidInput, match="kind: expected one of"):
            add_query(session, workspace_id, "Other", "tent", kind="rival")
        edit_query(session, workspace_id, "Vetur", expression="vetur OR #vetur2")
        edit_query(session, workspace_id, "Vetur", expression="vetur OR #vetur2")  # no change
        edit_query(session, workspace_id, "Vetur", variants={"is": "vetur OR tjald*"})
        remove_query(session, workspace_id, "Vetur")
    with db.session() as session:
        history = query_history(session, workspace_id, "Vetur")
        with pytest.raises(NotFound):
            get_query(session, workspace_id, "Vetur")
        with pytest.raises(NotFound):
            query_history(session, workspace_id, "Never")
    assert [c.action for c in history] == ["created", "edited", "edited", "removed"]
    assert (history[1].old_expression, history[1].new_expression) == ("vetur", "vetur OR #vetur2")
    assert (history[2].old_variants, history[2].new_variants) == ({}, {"is": "vetur OR tjald*"})
    assert history[3].new_expression is None
