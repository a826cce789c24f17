"""The X reply sender against a local server implementing X API v2 ``POST /2/tweets``.

The server checks what X checks (path, method, OAuth 2.0 Bearer token, JSON body) and
answers with the responses recorded in ``rapport/channels/twitter/fixtures/outbound``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.integration.channels.platform_server import (
    Answer,
    Arrived,
    PlatformServer,
    fixture_answer,
    running,
    unused_port,
)

import rapport.channels.twitter as twitter_package
from rapport.channels.outbound import (
    DeliveryError,
    DeliveryUncertain,
    OutboundReply,
    RetryLater,
    get_sender,
)
from rapport.channels.twitter.client import XReplySender, make_sender, weighted_length
from rapport.store.models import ChannelKind

FIXTURES = Path(twitter_package.__file__).parent / "fixtures" / "outbound"
TOKEN = "dGVzdC11c2VyLXRva2VuLXJhcHBvcnQ6MTY5OTk5OTk5OTpyZWFkLXdyaXRl"
CUSTOMER_TWEET = "1893569982131531776"
PERSIAN = "سلام صبا، سفارش شما امروز ارسال شد. کد رهگیری را در پیام خصوصی فرستادیم."
_TWEET_ID = re.compile(r"[0-9]{1,19}")
_DOCUMENTED_FIELDS = {
    "card_uri", "community_id", "direct_message_deep_link", "for_super_followers_only",
    "geo", "media", "nullcast", "poll", "quote_tweet_id", "reply", "reply_settings",
    "share_with_followers", "text",
}  # fmt: skip


def _x_endpoint(arrived: Arrived) -> Answer | None:
    """Refuse what X refuses, with X's documented answers."""
    if arrived.method != "POST" or arrived.path != "/2/tweets":
        return Answer(404, {"title": "Not Found Error", "type": "about:blank", "status": 404})
    if arrived.headers.get("authorization") != f"Bearer {TOKEN}":
        return fixture_answer(FIXTURES, "unauthorized", 401)
    invalid = fixture_answer(FIXTURES, "invalid_request", 400)
    if not arrived.headers.get("content-type", "").startswith("application/json"):
        return invalid
    try:
        body = arrived.json()
    except ValueError:
        return invalid
    reply = body.get("reply") if isinstance(body, dict) else None
    if (
        not isinstance(body, dict)
        or not set(body) <= _DOCUMENTED_FIELDS
        or not isinstance(body.get("text"), str)
        or not isinstance(reply, dict)
        or not _TWEET_ID.fullmatch(str(reply.get("in_reply_to_tweet_id")))
    ):
        return invalid
    return None


def _created(arrived: Arrived) -> Answer:
    """201 Created: the recorded response, echoing the text that was posted."""
    recorded = json.loads((FIXTURES / "create_post.json").read_text(encoding="utf-8"))
    recorded["data"]["text"] = arrived.json()["text"]
    return Answer(201, recorded)


@pytest.fixture
def x_api() -> Iterator[PlatformServer]:
    with running(_x_endpoint, _created) as server:
        yield server


def _sender(server: PlatformServer, **settings: Any) -> XReplySender:
    sender = make_sender({"access_token": TOKEN, "api_base": server.base_url, **settings})
    assert isinstance(sender, XReplySender)
    return sender


def _reply(text: str = PERSIAN, in_reply_to: str | None = CUSTOMER_TWEET) -> OutboundReply:
    return OutboundReply(
        delivery_id=7,
        kind=ChannelKind.TWITTER,
        settings={},
        text=text,
        agent_name="Nima",
        in_reply_to=in_reply_to,
        recipient="1401000000000000001",
    )


def _refusal(server: PlatformServer, error: type[DeliveryError], **settings: Any) -> Any:
    """Send a reply expecting ``error`` (exactly that class), whose message hides the token."""
    with pytest.raises(DeliveryError) as raised:
        _sender(server, **settings).send(_reply())
    assert type(raised.value) is error, raised.value
    assert TOKEN not in str(raised.value)
    assert TOKEN not in repr(raised.value.args)
    return raised.value


def test_reply_is_posted_as_a_reply_to_the_customers_tweet(x_api: PlatformServer) -> None:
    delivered = _sender(x_api).send(_reply())

    assert delivered.external_id == "1893570163014852608"
    [arrived] = x_api.arrived
    assert arrived.method == "POST"
    assert arrived.path == "/2/tweets"
    assert arrived.headers["authorization"] == f"Bearer {TOKEN}"
    assert arrived.json() == {"text": PERSIAN, "reply": {"in_reply_to_tweet_id": CUSTOMER_TWEET}}


def test_persian_text_with_zero_width_non_joiner_arrives_intact(x_api: PlatformServer) -> None:
    text = "می‌فرستیم؛ لطفاً صبر کنید 🙏"  # ZWNJ in می‌فرستیم

    _sender(x_api).send(_reply(text))

    assert x_api.arrived[0].json()["text"] == text
    assert "\u200c" in x_api.arrived[0].json()["text"]


def test_get_sender_builds_the_x_sender_for_twitter_channels(x_api: PlatformServer) -> None:
    sender = get_sender(ChannelKind.TWITTER, {"access_token": TOKEN, "api_base": x_api.base_url})

    assert sender.send(_reply()).external_id == "1893570163014852608"


def test_bad_token_is_refused_with_xs_own_words(x_api: PlatformServer) -> None:
    sender = make_sender({"access_token": "revoked-token", "api_base": x_api.base_url})

    with pytest.raises(DeliveryError) as raised:
        sender.send(_reply())

    assert type(raised.value) is DeliveryError
    assert "401" in str(raised.value)
    assert "Unauthorized" in str(raised.value)
    assert "revoked-token" not in str(raised.value)


def test_duplicate_content_is_a_final_refusal(x_api: PlatformServer) -> None:
    x_api.answer_next(fixture_answer(FIXTURES, "duplicate_content", 403))

    error = _refusal(x_api, DeliveryError)

    assert "You are not allowed to create a Tweet with duplicate content." in str(error)


def test_invalid_tweet_id_is_refused_before_posting_anything(x_api: PlatformServer) -> None:
    with pytest.raises(DeliveryError) as raised:
        _sender(x_api).send(_reply(in_reply_to="not-a-tweet-id"))

    assert type(raised.value) is DeliveryError
    assert "One or more parameters to your request was invalid." in str(raised.value)
    assert "reply.in_reply_to_tweet_id" in str(raised.value)


def test_rate_limit_waits_until_the_window_resets(x_api: PlatformServer) -> None:
    reset = int(time.time()) + 600
    x_api.answer_next(
        fixture_answer(
            FIXTURES,
            "too_many_requests",
            429,
            **{"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0"},
            **{"x-rate-limit-reset": str(reset)},
        )
    )

    error = _refusal(x_api, RetryLater)

    assert 590 <= error.retry_after <= 600
    assert "Too Many Requests" in str(error)


def test_rate_limit_on_the_daily_post_cap_waits_for_that_window(x_api: PlatformServer) -> None:
    now = int(time.time())
    headers = {
        "x-rate-limit-limit": "100",
        "x-rate-limit-remaining": "97",
        "x-rate-limit-reset": str(now + 300),
        "x-user-limit-24hour-limit": "17",
        "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": str(now + 7200),
    }
    x_api.answer_next(fixture_answer(FIXTURES, "too_many_requests", 429, **headers))

    error = _refusal(x_api, RetryLater)

    assert 7190 <= error.retry_after <= 7200


def test_rate_limit_without_x_headers_uses_retry_after(x_api: PlatformServer) -> None:
    x_api.answer_next(fixture_answer(FIXTURES, "too_many_requests", 429, **{"Retry-After": "42"}))

    assert _refusal(x_api, RetryLater).retry_after == 42


def test_service_unavailable_means_nothing_was_posted(x_api: PlatformServer) -> None:
    reset = str(int(time.time()) + 900)  # present on every answer; not why X said 503
    x_api.answer_next(
        fixture_answer(FIXTURES, "service_unavailable", 503, **{"x-rate-limit-reset": reset})
    )

    error = _refusal(x_api, RetryLater)

    assert error.retry_after is None
    assert "503" in str(error)


@pytest.mark.parametrize("status", [500, 502, 504])
def test_other_server_errors_may_have_posted_the_reply(x_api: PlatformServer, status: int) -> None:
    if status == 500:
        x_api.answer_next(fixture_answer(FIXTURES, "internal_server_error", 500))
    else:
        x_api.answer_next(Answer(status))

    error = _refusal(x_api, DeliveryUncertain)

    assert str(status) in str(error)
    assert len(x_api.arrived) == 1


def test_a_timeout_after_sending_is_uncertain(x_api: PlatformServer) -> None:
    x_api.answer_next(Answer(hang=5))

    error = _refusal(x_api, DeliveryUncertain, timeout=0.3)

    assert "ReadTimeout" in str(error)
    assert x_api.arrived[0].json()["text"] == PERSIAN  # it did reach X


def test_a_dropped_connection_after_sending_is_uncertain(x_api: PlatformServer) -> None:
    x_api.answer_next(Answer(drop=True))

    _refusal(x_api, DeliveryUncertain)


def test_a_refused_connection_sent_nothing_and_can_be_retried() -> None:
    sender = make_sender({"access_token": TOKEN, "api_base": f"http://127.0.0.1:{unused_port()}"})

    with pytest.raises(RetryLater) as raised:
        sender.send(_reply())

    assert "nothing was sent" in str(raised.value)
    assert TOKEN not in str(raised.value)


def test_success_without_the_new_post_id_is_uncertain(x_api: PlatformServer) -> None:
    x_api.answer_next(Answer(201, {"errors": [{"message": "partial"}]}))

    _refusal(x_api, DeliveryUncertain)


def test_too_long_reply_is_refused_before_sending(x_api: PlatformServer) -> None:
    cjk = "你" * 141  # weighs 282: CJK counts double

    with pytest.raises(DeliveryError) as raised:
        _sender(x_api).send(_reply(cjk))

    assert type(raised.value) is DeliveryError
    assert "282" in str(raised.value)
    assert "280" in str(raised.value)
    assert x_api.arrived == []


def test_persian_counts_one_per_letter_up_to_the_limit(x_api: PlatformServer) -> None:
    text = ("سلام " * 56)[:280]

    assert weighted_length(text) == 280
    _sender(x_api).send(_reply(text))
    assert x_api.arrived[0].json()["text"] == text


def test_max_length_setting_is_honoured(x_api: PlatformServer) -> None:
    with pytest.raises(DeliveryError, match="limit is 20"):
        _sender(x_api, max_length=20).send(_reply())

    assert x_api.arrived == []


def test_reply_without_a_tweet_to_answer_is_not_posted(x_api: PlatformServer) -> None:
    with pytest.raises(DeliveryError, match="in_reply_to"):
        _sender(x_api).send(_reply(in_reply_to=None))

    assert x_api.arrived == []


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({}, "access_token"),
        ({"access_token": "  "}, "access_token"),
        ({"access_token": TOKEN, "timeout": 0}, "timeout"),
        ({"access_token": TOKEN, "max_length": "280"}, "max_length"),
        ({"access_token": TOKEN, "api_base": "api.x.com"}, "api_base"),
    ],
)
def test_bad_settings_are_explained(settings: dict[str, Any], complaint: str) -> None:
    with pytest.raises(DeliveryError, match=complaint) as raised:
        make_sender(settings)

    assert TOKEN not in str(raised.value)


def test_the_token_stays_out_of_the_senders_repr() -> None:
    sender = make_sender({"access_token": TOKEN})

    assert TOKEN not in repr(sender)
    assert "https://api.x.com" in repr(sender)


def test_a_token_echoed_by_the_platform_is_scrubbed(x_api: PlatformServer) -> None:
    x_api.answer_next(Answer(403, {"title": "Forbidden", "detail": f"Token {TOKEN} is suspended"}))

    error = _refusal(x_api, DeliveryError)

    assert "Token [token] is suspended" in str(error)
