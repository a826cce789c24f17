"""The demo comes with listening queries that find its own conversations."""

from __future__ import annotations

import uuid

from rapport.demo.service import load_demo
from rapport.intelligence.listening.queries import edit_query, list_queries
from rapport.intelligence.listening.service import voice_of_queries
from rapport.store.db import Database


def test_demo_shows_share_of_voice_between_its_products(db: Database) -> None:
    slug = f"demo-{uuid.uuid4().hex[:8]}"
    report = load_demo(db, slug)
    again = load_demo(db, f"demo-{uuid.uuid4().hex[:8]}")  # another workspace, its own queries
    ws = report.workspace_id
    with db.session() as session:
        names = {q.name: q.kind for q in list_queries(session, ws)}
        products = voice_of_queries(session, ws, kind="product")
        brands = voice_of_queries(session, ws, names=["Fjord & Pine"])
        assert len(list_queries(session, again.workspace_id)) == len(names)
    assert names["Fjord & Pine"] == "brand"
    assert names["Hekla sleeping bag"] == "product"
    mentions = {v.name: v.mentions for v in products.voices}
    assert mentions["Vetur tent"] >= 3
    assert mentions["Hríma jacket"] >= 3  # "Hríma" and the Icelandic "Hrímu"
    assert mentions["Hekla sleeping bag"] >= 2  # one written هکلا in a Persian tweet
    [fp] = brands.voices
    assert fp.mentions > 20
    assert set(fp.channels) >= {"twitter", "email", "api"}
    # Loading the demo again keeps the queries as a user has changed them.
    with db.session() as session:
        edit_query(session, ws, "Vetur tent", expression="vetur -recall")
    load_demo(db, slug)
    with db.session() as session:
        after = {q.name: q.expression for q in list_queries(session, ws)}
    assert set(after) == set(names)
    assert after["Vetur tent"] == "vetur -recall"
