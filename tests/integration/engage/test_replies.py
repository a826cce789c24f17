"""An agent answers in the conversation view and the customer gets the reply, threaded,
in the agent's name: e-mail end to end through a real SMTP server, canned replies in the
customer's language, and the rules for public and private replies."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.integration.engage.support import (
    CUSTOMER,
    MAILBOX,
    SmtpRecorder,
    case_of,
    customer_email,
    delivery,
    events,
    make_agent,
    make_channel,
    setup_desk,
    smtp_server,
    store,
)

from rapport.channels.base import get_format
from rapport.engage.delivery import deliver
from rapport.engage.replies import list_deliveries, queue_reply
from rapport.errors import InvalidInput
from rapport.inbox.queries import get_conversation
from rapport.ingest.records import InboundMessage
from rapport.ingest.service import import_file
from rapport.store.db import Database
from rapport.store.engagement import CaseStatus, DeliveryStatus
from rapport.store.models import ChannelKind, Direction, Message

SIGNATURE = "Sara Jónsdóttir · Acme customer care"
FIRST = "<q1.7f3a@customer.example>"
SECOND = "<q2.91bc@customer.example>"


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpRecorder, dict[str, Any]]]:
    with smtp_server() as running:
        yield running


def _mail_desk(db: Database, workspace_id: int, settings: dict[str, Any]) -> int:
    """A support mailbox where Bob wrote twice about a late order; his conversation."""
    make_channel(db, workspace_id, "support-mail", ChannelKind.EMAIL, settings)
    first = customer_email(FIRST, text="Hello, my order 1234 has not arrived. Where is it?")
    second = customer_email(
        SECOND,
        text="Any news? It has been a week now.",
        subject="Re: Order 1234 is late",
        in_reply_to=FIRST,
        references=(FIRST,),
        sent_at=datetime.now(UTC) - timedelta(minutes=10),
    )
    return store(db, workspace_id, "support-mail", ChannelKind.EMAIL, first, second)


def test_an_email_reply_reaches_the_customer_threaded_signed_and_joins_the_case(
    db: Database, workspace_id: int, smtp: tuple[SmtpRecorder, dict[str, Any]]
) -> None:
    recorder, settings = smtp
    conversation_id = _mail_desk(db, workspace_id, settings)
    sara = make_agent(db, workspace_id, "Sara Jónsdóttir", signature=SIGNATURE)
    with db.session() as session:
        queued = queue_reply(
            session,
            workspace_id,
            conversation_id=conversation_id,
            author=sara.actor,
            text="Hi Bob, your parcel left our warehouse this morning.",
        )
        delivery_id = queued.id
        assert queued.status == DeliveryStatus.QUEUED.value
        assert queued.public is False  # e-mail is private, and says so

    assert deliver(db, delivery_id) == DeliveryStatus.SENT.value

    [mail] = recorder.received()
    assert recorder.envelopes[0].rcpt_tos == [CUSTOMER]
    assert mail["To"].addresses[0].addr_spec == CUSTOMER
    assert mail["From"].addresses[0].display_name == "Sara Jónsdóttir (Acme)"
    assert mail["From"].addresses[0].addr_spec == MAILBOX
    assert mail["Subject"] == "Re: Order 1234 is late"
    assert mail["In-Reply-To"] == SECOND
    assert mail["References"].split() == [FIRST, SECOND]
    body = mail.get_content()
    assert body.startswith("Hi Bob, your parcel left our warehouse this morning.")
    assert body.rstrip().endswith(SIGNATURE)

    sent = delivery(db, delivery_id)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, None)
    assert sent.external_id == mail["Message-ID"]
    with db.session() as session:
        thread = session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.sent_at, Message.id)
        ).all()
        assert [m.external_id for m in thread] == [FIRST, SECOND, mail["Message-ID"]]
        reply = thread[-1]
        assert reply.id == sent.message_id
        assert reply.direction == Direction.OUTBOUND.value
        assert reply.in_reply_to == SECOND
        assert reply.meta is not None
        assert reply.meta["agent_name"] == "Sara Jónsdóttir"
        assert reply.meta["agent_user_id"] == sara.user_id
        shown = get_conversation(session, workspace_id, conversation_id).messages[-1]
        assert shown.author.startswith("Sara Jónsdóttir · ")  # the agent, as herself

    case = case_of(db, conversation_id)
    assert case.first_responded_at is not None
    assert case.status == CaseStatus.PENDING.value  # answered: waiting on Bob
    history = [(e.activity, e.resource, e.actor_id) for e in events(db, case.id)]
    assert ("reply_queued", "Sara Jónsdóttir", sara.user_id) in history
    assert ("replied", "Sara Jónsdóttir", sara.user_id) in history


def test_the_signature_is_not_added_twice_and_a_plain_name_signs_by_default(
    db: Database, workspace_id: int, smtp: tuple[SmtpRecorder, dict[str, Any]]
) -> None:
    conversation_id = _mail_desk(db, workspace_id, smtp[1])
    sara = make_agent(db, workspace_id, "Sara Jónsdóttir", signature=SIGNATURE)
    omid = make_agent(db, workspace_id, "Omid Rahimi")
    with db.session() as session:
        signed_already = queue_reply(
            session,
            workspace_id,
            conversation_id=conversation_id,
            author=sara.actor,
            text=f"Hi Bob, it ships today.\n\n{SIGNATURE}",
        )
        unsigned = queue_reply(
            session,
            workspace_id,
            conversation_id=conversation_id,
            author=omid.actor,
            text="Hi Bob, it ships today.",
        )
        assert signed_already.text.count("Acme customer care") == 1
        assert unsigned.text == "Hi Bob, it ships today.\n\n— Omid Rahimi"


CANNED = [
    {
        "name": "Order shipped",
        "language": "en",
        "body": "Dear {customer_name}, case {case_number}: your order has shipped. {agent_name}",
    },
    {
        "name": "Order shipped",
        "language": "fa",
        "body": "{customer_name} عزیز، پرونده {case_number}: سفارش شما ارسال شد. {agent_name}",
    },
    {
        "name": "Order shipped",
        "language": "is",
        "body": "Kæri {customer_name}, mál {case_number}: pöntunin þín er farin af stað.",
    },
]


@pytest.mark.parametrize(
    ("name", "text", "given", "expected"),
    [
        ("مریم احمدی", "سلام، سفارش من هنوز نرسیده است. لطفا کمک کنید.", None, "عزیز، پرونده"),
        ("Guðrún Ólafsdóttir", "Góðan dag, pöntunin mín hefur ekki borist enn.", None, "Kæri"),
        # No Hungarian version: the language the agent gives, then English.
        ("Kovács Anna", "Jó napot, a rendelésem még nem érkezett meg.", "is", "Kæri"),
        ("Kovács Anna", "Jó napot, a rendelésem még nem érkezett meg.", None, "Dear"),
    ],
)
def test_a_canned_reply_goes_out_in_the_customers_language_with_its_blanks_filled(
    db: Database,
    workspace_id: int,
    smtp: tuple[SmtpRecorder, dict[str, Any]],
    name: str,
    text: str,
    given: str | None,
    expected: str,
) -> None:
    recorder, settings = smtp
    make_channel(db, workspace_id, "support-mail", ChannelKind.EMAIL, settings)
    conversation_id = store(
        db,
        workspace_id,
        "support-mail",
        ChannelKind.EMAIL,
        customer_email("<lang.1@customer.example>", text=text, name=name),
    )
    sara = make_agent(db, workspace_id, "Sara Jónsdóttir", signature=SIGNATURE)
    setup_desk(db, workspace_id, canned=CANNED)
    case = case_of(db, conversation_id)
    with db.session() as session:
        queued = queue_reply(
            session,
            workspace_id,
            conversation_id=conversation_id,
            author=sara.actor,
            text="",
            canned="order shipped",
            language=given,
        )
        delivery_id = queued.id
    assert deliver(db, delivery_id) == "sent"

    body = recorder.received()[0].get_content()
    assert expected in body
    assert name in body
    assert str(case.id) in body
    assert "{" not in body  # no blank left unfilled
    assert body.rstrip().endswith(SIGNATURE)


def test_a_canned_reply_that_does_not_exist_is_named_in_the_error(
    db: Database, workspace_id: int, smtp: tuple[SmtpRecorder, dict[str, Any]]
) -> None:
    conversation_id = _mail_desk(db, workspace_id, smtp[1])
    sara = make_agent(db, workspace_id, "Sara Jónsdóttir")
    with db.session() as session, pytest.raises(InvalidInput, match="no canned reply named"):
        queue_reply(
            session,
            workspace_id,
            conversation_id=conversation_id,
            author=sara.actor,
            text="",
            canned="Refund approved",
        )


def test_an_email_reply_cannot_be_made_public(
    db: Database, workspace_id: int, smtp: tuple[SmtpRecorder, dict[str, Any]]
) -> None:
    conversation_id = _mail_desk(db, workspace_id, smtp[1])
    sara = make_agent(db, workspace_id, "Sara Jónsdóttir")
    with db.session() as session, pytest.raises(InvalidInput, match="is private"):
        queue_reply(
            session,
            workspace_id,
            conversation_id=conversation_id,
            author=sara.actor,
            text="Hello",
            public=True,
        )
    with db.session() as session:
        assert list_deliveries(session, workspace_id) == []


X_SETTINGS = {"access_token": "test-token", "api_base": "http://127.0.0.1:9", "account_id": "1"}
META_SETTINGS = {"page_access_token": "test-token", "graph_base": "http://127.0.0.1:9"}
PAGE = "104729385610002"


def _tweet(tweet_id: str, text: str, sent_at: datetime) -> InboundMessage:
    return InboundMessage(
        external_id=tweet_id,
        author_id="4412",
        author_handle="saba_tehran",
        author_name="Saba",
        text=text,
        sent_at=sent_at,
        direction=Direction.INBOUND,
    )


def _comment(comment_id: str, sent_at: datetime, post: str) -> InboundMessage:
    return InboundMessage(
        external_id=comment_id,
        author_id="6120000000000007",
        author_name="Giulia Bianchi",
        text="La mia borsa non è ancora arrivata",
        sent_at=sent_at,
        direction=Direction.INBOUND,
        in_reply_to=post,
        thread_refs=(post,),
        meta={"page_id": PAGE, "post_id": post, "item": "comment"},
    )


def test_public_and_private_are_explicit_per_channel(db: Database, workspace_id: int) -> None:
    now = datetime.now(UTC)
    make_channel(db, workspace_id, "x", ChannelKind.TWITTER, X_SETTINGS)
    make_channel(db, workspace_id, "facebook", ChannelKind.FACEBOOK, META_SETTINGS)
    tweet = store(
        db, workspace_id, "x", ChannelKind.TWITTER, _tweet("901", "@acme where is it?", now)
    )
    fresh = store(
        db, workspace_id, "facebook", ChannelKind.FACEBOOK, _comment(f"{PAGE}_1", now, f"{PAGE}_10")
    )
    old = store(
        db,
        workspace_id,
        "facebook",
        ChannelKind.FACEBOOK,
        _comment(f"{PAGE}_2", now - timedelta(days=8), f"{PAGE}_20"),
    )
    sara = make_agent(db, workspace_id, "Sara")

    def reply(conversation_id: int, public: bool | None) -> bool:
        with db.session() as session:
            return queue_reply(
                session,
                workspace_id,
                conversation_id=conversation_id,
                author=sara.actor,
                text="We are on it",
                public=public,
            ).public

    assert reply(tweet, None) is True
    with pytest.raises(InvalidInput, match="direct messages\\) are not supported yet"):
        reply(tweet, False)
    assert reply(fresh, None) is True  # a comment is answered publicly unless told
    assert reply(fresh, False) is False  # a private reply to its author
    with pytest.raises(InvalidInput, match="within 7 days"):
        reply(old, False)
    assert reply(old, True) is True


def test_a_tweet_too_long_with_the_signature_is_refused_before_sending(
    db: Database, workspace_id: int
) -> None:
    make_channel(db, workspace_id, "x", ChannelKind.TWITTER, X_SETTINGS)
    conversation_id = store(
        db,
        workspace_id,
        "x",
        ChannelKind.TWITTER,
        _tweet("902", "@acme hello?", datetime.now(UTC)),
    )
    sara = make_agent(db, workspace_id, "Sara", signature="Sara from Acme customer care")
    with db.session() as session, pytest.raises(InvalidInput, match="the limit is 280"):
        queue_reply(
            session,
            workspace_id,
            conversation_id=conversation_id,
            author=sara.actor,
            text="x" * 260,  # fits alone, not with the signature
        )


def test_an_imported_twcs_channel_says_which_credentials_it_lacks(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    csv = tmp_path / "twcs.csv"
    csv.write_text(
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
        "119237,105834,True,Wed Oct 11 06:55:44 +0000 2017,"
        "@AppleSupport causing the reply to be disregarded,119236,\n",
        encoding="utf-8",
    )
    import_file(db, workspace_id=workspace_id, path=csv, fmt=get_format("twcs"))
    sara = make_agent(db, workspace_id, "Sara")
    with db.session() as session:
        conversation_id = session.scalars(
            select(Message.conversation_id).where(Message.workspace_id == workspace_id)
        ).one()
    with db.session() as session, pytest.raises(InvalidInput) as refused:
        queue_reply(
            session,
            workspace_id,
            conversation_id=conversation_id,
            author=sara.actor,
            text="Sorry about that",
        )
    assert str(refused.value).startswith(
        "channel 'twitter' cannot send replies yet: its settings lack access_token."
    )
    with db.session() as session:
        assert list_deliveries(session, workspace_id) == []


def test_a_mailbox_without_a_server_names_every_missing_setting(
    db: Database, workspace_id: int
) -> None:
    conversation_id = _mail_desk(db, workspace_id, {"from_name": "Acme"})
    sara = make_agent(db, workspace_id, "Sara")
    with db.session() as session, pytest.raises(InvalidInput) as refused:
        queue_reply(
            session,
            workspace_id,
            conversation_id=conversation_id,
            author=sara.actor,
            text="Hello",
        )
    assert "its settings lack smtp_host, from_address" in str(refused.value)
