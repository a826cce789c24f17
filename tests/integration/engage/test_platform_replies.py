"""Replies on X and Facebook go out through the platforms' own APIs, threaded, and come
back into the conversation; a rate limit waits for the platform's reset. The platforms are
a real local HTTP server answering with their recorded responses."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.integration.channels.platform_server import (
    Answer,
    Arrived,
    PlatformServer,
    fixture_answer,
    running,
)
from tests.integration.engage.support import (
    case_of,
    delivery,
    events,
    make_agent,
    make_channel,
    store,
)

import rapport.channels.meta as meta_package
import rapport.channels.twitter as twitter_package
from rapport.engage.delivery import deliver
from rapport.engage.replies import queue_reply
from rapport.ingest.records import InboundMessage
from rapport.store.db import Database
from rapport.store.models import ChannelKind, Direction, Message

X_FIXTURES = Path(twitter_package.__file__).parent / "fixtures" / "outbound"
META_FIXTURES = Path(meta_package.__file__).parent / "fixtures" / "outbound"
TOKEN = "test-user-token-rapport"
CUSTOMER_TWEET = "1893569982131531776"
POSTED_TWEET = "1893570163014852608"  # the id in create_post.json
PAGE = "104729385610002"
POST = f"{PAGE}_811200000000001"
COMMENT = "811200000000001_900000000000011"
PSID = "6120000000000001"
PERSIAN = "سلام، سفارش من کجاست؟ یک هفته است منتظرم."


def _x(arrived: Arrived) -> Answer | None:
    if arrived.path != "/2/tweets" or arrived.headers.get("authorization") != f"Bearer {TOKEN}":
        return fixture_answer(X_FIXTURES, "unauthorized", 401)
    return None


def _created(arrived: Arrived) -> Answer:
    recorded = json.loads((X_FIXTURES / "create_post.json").read_text(encoding="utf-8"))
    recorded["data"]["text"] = arrived.json()["text"]
    return Answer(201, recorded)


@pytest.fixture
def x_api() -> Iterator[PlatformServer]:
    with running(_x, _created) as server:
        yield server


def _graph(arrived: Arrived) -> Answer | None:
    if arrived.form().get("access_token") != TOKEN:
        return fixture_answer(META_FIXTURES, "invalid_token", 400)
    return None


def _graph_success(arrived: Arrived) -> Answer:
    if arrived.path.endswith("/comments"):
        return fixture_answer(META_FIXTURES, "comment_reply", 200)
    private = "comment_id" in json.loads(arrived.form()["recipient"])
    return fixture_answer(META_FIXTURES, "private_reply" if private else "send_message", 200)


@pytest.fixture
def graph() -> Iterator[PlatformServer]:
    with running(_graph, _graph_success) as server:
        yield server


def _customer_tweet(sent_at: datetime) -> InboundMessage:
    return InboundMessage(
        external_id=CUSTOMER_TWEET,
        author_id="4412",
        author_handle="saba_tehran",
        author_name="Saba",
        text=f"@acme {PERSIAN}",
        sent_at=sent_at,
        direction=Direction.INBOUND,
        meta={"conversation_id": CUSTOMER_TWEET, "lang": "fa"},
    )


def _x_desk(db: Database, workspace_id: int, server: PlatformServer) -> int:
    settings = {"access_token": TOKEN, "api_base": server.base_url, "account_id": "1000"}
    make_channel(db, workspace_id, "x", ChannelKind.TWITTER, settings)
    asked = datetime.now(UTC) - timedelta(minutes=5)
    return store(db, workspace_id, "x", ChannelKind.TWITTER, _customer_tweet(asked))


def test_an_x_reply_answers_the_customers_post_and_joins_the_conversation(
    db: Database, workspace_id: int, x_api: PlatformServer
) -> None:
    conversation_id = _x_desk(db, workspace_id, x_api)
    sara = make_agent(db, workspace_id, "Sara", signature="— Sara, Acme")
    with db.session() as session:
        delivery_id = queue_reply(
            session,
            workspace_id,
            conversation_id=conversation_id,
            author=sara.actor,
            text="@saba_tehran سلام صبا، سفارش شما امروز ارسال شد.",
        ).id

    assert deliver(db, delivery_id) == "sent"

    [posted] = x_api.arrived
    assert (posted.method, posted.path) == ("POST", "/2/tweets")
    body = posted.json()
    assert body["reply"] == {"in_reply_to_tweet_id": CUSTOMER_TWEET}
    assert body["text"] == "@saba_tehran سلام صبا، سفارش شما امروز ارسال شد.\n\n— Sara, Acme"
    assert delivery(db, delivery_id).external_id == POSTED_TWEET
    with db.session() as session:
        reply = session.scalars(
            select(Message).where(
                Message.workspace_id == workspace_id, Message.direction == "outbound"
            )
        ).one()
        assert reply.external_id == POSTED_TWEET
        assert reply.conversation_id == conversation_id
        assert reply.in_reply_to == CUSTOMER_TWEET
    case = case_of(db, conversation_id)
    assert case.first_responded_at is not None
    assert ("replied", "Sara") in [(e.activity, e.resource) for e in events(db, case.id)]


def test_an_x_rate_limit_waits_until_the_window_resets(
    db: Database, workspace_id: int, x_api: PlatformServer
) -> None:
    conversation_id = _x_desk(db, workspace_id, x_api)
    sara = make_agent(db, workspace_id, "Sara")
    reset = int(time.time()) + 900
    x_api.answer_next(
        fixture_answer(
            X_FIXTURES,
            "too_many_requests",
            429,
            **{"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
        )
    )
    with db.session() as session:
        delivery_id = queue_reply(
            session,
            workspace_id,
            conversation_id=conversation_id,
            author=sara.actor,
            text="We are looking into it",
        ).id

    assert deliver(db, delivery_id) == "retrying"
    waiting = delivery(db, delivery_id)
    assert waiting.next_attempt_at >= datetime.fromtimestamp(reset, UTC) - timedelta(seconds=1)
    assert "429" in str(waiting.last_error)
    assert deliver(db, delivery_id) == "retrying"  # not before the reset
    assert len(x_api.arrived) == 1
    assert deliver(db, delivery_id, now=waiting.next_attempt_at) == "sent"
    assert len(x_api.arrived) == 2


def _comment() -> InboundMessage:
    return InboundMessage(
        external_id=COMMENT,
        author_id="6120000000000007",
        author_name="Giulia Bianchi",
        text="La mia borsa non è ancora arrivata, potete aiutarmi?",
        sent_at=datetime.now(UTC) - timedelta(hours=1),
        direction=Direction.INBOUND,
        in_reply_to=POST,
        thread_refs=(POST,),
        meta={"page_id": PAGE, "post_id": POST, "item": "comment"},
    )


def _messenger() -> InboundMessage:
    return InboundMessage(
        external_id="m_customer-0001",
        author_id=PSID,
        text="Ciao, posso cambiare l'indirizzo di consegna?",
        sent_at=datetime.now(UTC) - timedelta(minutes=20),
        direction=Direction.INBOUND,
        thread_refs=(f"messenger:{PAGE}:{PSID}",),
        meta={"page_id": PAGE, "psid": PSID},
    )


@pytest.mark.parametrize(
    ("message", "public", "path", "posted_id"),
    [
        (_comment, None, f"/v21.0/{COMMENT}/comments", "811200000000001_900000000000031"),
        (_comment, False, f"/v21.0/{PAGE}/messages", "m_Aurora-private-0003"),
        (_messenger, None, f"/v21.0/{PAGE}/messages", "m_Aurora-reply-0002"),
    ],
    ids=["public comment reply", "private reply to a comment", "messenger"],
)
def test_a_facebook_reply_is_a_comment_reply_or_a_messenger_message_as_chosen(
    db: Database,
    workspace_id: int,
    graph: PlatformServer,
    message: object,
    public: bool | None,
    path: str,
    posted_id: str,
) -> None:
    settings = {"page_access_token": TOKEN, "graph_base": graph.base_url}
    make_channel(db, workspace_id, "facebook", ChannelKind.FACEBOOK, settings)
    assert callable(message)
    conversation_id = store(db, workspace_id, "facebook", ChannelKind.FACEBOOK, message())
    sara = make_agent(db, workspace_id, "Sara Rossi")
    with db.session() as session:
        delivery_id = queue_reply(
            session,
            workspace_id,
            conversation_id=conversation_id,
            author=sara.actor,
            text="Ciao! Certo, ci pensiamo noi.",
            public=public,
        ).id

    assert deliver(db, delivery_id) == "sent"

    [sent] = graph.arrived
    assert sent.path == path
    form = sent.form()
    if path.endswith("/comments"):
        assert form["message"] == "Ciao! Certo, ci pensiamo noi.\n\n— Sara Rossi"
    else:
        recipient = json.loads(form["recipient"])
        assert recipient == ({"comment_id": COMMENT} if public is False else {"id": PSID})
        assert json.loads(form["message"])["text"].endswith("— Sara Rossi")
    with db.session() as session:
        reply = session.scalars(
            select(Message).where(
                Message.workspace_id == workspace_id, Message.direction == "outbound"
            )
        ).one()
        assert (reply.external_id, reply.conversation_id) == (posted_id, conversation_id)
        assert reply.meta is not None
        assert reply.meta["agent_name"] == "Sara Rossi"
