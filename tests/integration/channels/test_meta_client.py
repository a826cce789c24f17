"""The Facebook Page / Messenger reply sender against a local Graph API server.

The server implements the two documented endpoints, ``POST /{version}/{comment-id}/comments``
and the Send API ``POST /{version}/{page-id}/messages``: it checks the version, the Page
access token, the ``appsecret_proof`` and the parameters, and answers with the responses
recorded in ``rapport/channels/meta/fixtures/outbound``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
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

import rapport.channels.meta as meta_package
from rapport.channels.meta.client import MetaReplySender, appsecret_proof, make_sender
from rapport.channels.outbound import (
    DeliveryError,
    DeliveryUncertain,
    OutboundReply,
    RetryLater,
    get_sender,
)
from rapport.store.models import ChannelKind

FIXTURES = Path(meta_package.__file__).parent / "fixtures" / "outbound"
TOKEN = "EAAGm0PX4ZCpsBOzRapportTestPageToken9k2LqWv8ZBxYcT1nMd"
APP_SECRET = "c0ffee-rapport-test-app-secret"
VERSION = "v21.0"
PAGE_ID = "104729385610002"
PSID = "6120000000000001"
COMMENT = "811200000000001_900000000000011"
PERSIAN = "سلام مریم، سفارش شما دیروز ارسال شد و کد رهگیری را همین حالا برایتان می‌فرستیم."
_PATH = re.compile(r"/(?P<version>v[0-9.]+)/(?P<node>[^/]+)/(?P<edge>comments|messages)")
_COMMENT_ID = re.compile(r"[0-9]+_[0-9]+")


def _graph_error(message: str, code: int = 100) -> Answer:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "T3st"}
    return Answer(400, {"error": error})


@dataclass
class GraphEndpoint:
    """Refuses what Graph refuses. ``app_secret`` set = the app requires appsecret_proof."""

    app_secret: str | None

    def __call__(self, arrived: Arrived) -> Answer | None:
        route = _PATH.fullmatch(arrived.path)
        if arrived.method != "POST" or route is None or route["version"] != VERSION:
            return _graph_error(f"Unknown path components: {arrived.path}", 2500)
        if not arrived.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return _graph_error("(#100) The parameter message is required")
        params = {name: values[0] for name, values in arrived.query.items()}
        params.update(arrived.form())
        if params.get("access_token") != TOKEN:
            return fixture_answer(FIXTURES, "invalid_token", 400)
        proof = params.get("appsecret_proof")
        needed = self.app_secret is not None
        if (needed or proof is not None) and proof != appsecret_proof(TOKEN, APP_SECRET):
            return fixture_answer(FIXTURES, "invalid_appsecret_proof", 400)
        if route["edge"] == "comments":
            return self._comment(route["node"], params)
        return self._message(route["node"], params)

    @staticmethod
    def _comment(node: str, params: dict[str, str]) -> Answer | None:
        if not _COMMENT_ID.fullmatch(node) or node.endswith("_900000000000099"):
            return fixture_answer(FIXTURES, "unsupported_post", 400)
        if not params.get("message"):
            return _graph_error("(#100) The parameter message is required")
        return None

    @staticmethod
    def _message(node: str, params: dict[str, str]) -> Answer | None:
        if node not in {PAGE_ID, "me"}:
            return _graph_error(f"(#100) Unsupported post request. Object with ID '{node}'")
        try:
            recipient = json.loads(params["recipient"])
            message = json.loads(params["message"])
        except (KeyError, ValueError):
            return _graph_error("(#100) param recipient must be non-empty.")
        if not isinstance(recipient, dict) or len(recipient.keys() & {"id", "comment_id"}) != 1:
            return _graph_error("(#100) param recipient must be non-empty.")
        if params.get("messaging_type") not in {"RESPONSE", "UPDATE", "MESSAGE_TAG"}:
            return _graph_error("(#100) param messaging_type must be one of {RESPONSE, ...}")
        if not isinstance(message, dict) or not isinstance(message.get("text"), str):
            return _graph_error("(#100) Param message[text] must be a UTF-8 encoded string")
        return None


def _success(arrived: Arrived) -> Answer:
    if arrived.path.endswith("/comments"):
        return fixture_answer(FIXTURES, "comment_reply", 200)
    private = "comment_id" in json.loads(arrived.form()["recipient"])
    return fixture_answer(FIXTURES, "private_reply" if private else "send_message", 200)


@pytest.fixture
def graph() -> Iterator[PlatformServer]:
    """A Graph API whose app requires appsecret_proof."""
    with running(GraphEndpoint(app_secret=APP_SECRET), _success) as server:
        yield server


@pytest.fixture
def graph_without_proof() -> Iterator[PlatformServer]:
    with running(GraphEndpoint(app_secret=None), _success) as server:
        yield server


def _settings(server: PlatformServer, **more: Any) -> dict[str, Any]:
    return {
        "page_access_token": TOKEN,
        "app_secret": APP_SECRET,
        "graph_base": server.base_url,
        "graph_version": VERSION,
        **more,
    }


def _sender(server: PlatformServer, **more: Any) -> MetaReplySender:
    sender = make_sender(_settings(server, **more))
    assert isinstance(sender, MetaReplySender)
    return sender


def _comment_reply(public: bool = True, in_reply_to: str | None = COMMENT) -> OutboundReply:
    return OutboundReply(
        delivery_id=11,
        kind=ChannelKind.FACEBOOK,
        settings={},
        text=PERSIAN,
        agent_name="Sara",
        in_reply_to=in_reply_to,
        recipient="7301000000000011",
        public=public,
        reply_meta={"page_id": PAGE_ID, "post_id": "104729385610002_811200000000001"},
    )


def _messenger_reply(
    recipient: str | None = PSID, meta: dict[str, Any] | None = None
) -> OutboundReply:
    return OutboundReply(
        delivery_id=12,
        kind=ChannelKind.MESSENGER,
        settings={},
        text=PERSIAN,
        agent_name="Sara",
        in_reply_to="m_Maryam-0001",
        recipient=recipient,
        public=False,
        reply_meta={"page_id": PAGE_ID, "psid": PSID} if meta is None else meta,
    )


def _refusal(server: PlatformServer, error: type[DeliveryError], reply: OutboundReply) -> Any:
    """Send expecting exactly ``error``; its message hides the token and the app secret."""
    with pytest.raises(DeliveryError) as raised:
        _sender(server, timeout=0.3).send(reply)
    assert type(raised.value) is error, raised.value
    for secret in (TOKEN, APP_SECRET):
        assert secret not in str(raised.value)
        assert secret not in repr(raised.value.args)
    return raised.value


def test_public_reply_is_a_comment_on_the_comment_answered(graph: PlatformServer) -> None:
    delivered = _sender(graph).send(_comment_reply())

    assert delivered.external_id == "811200000000001_900000000000031"
    [arrived] = graph.arrived
    assert arrived.method == "POST"
    assert arrived.path == f"/{VERSION}/{COMMENT}/comments"
    assert arrived.query == {}  # the token never travels in the URL
    assert arrived.form() == {
        "message": PERSIAN,
        "access_token": TOKEN,
        "appsecret_proof": hmac.new(
            APP_SECRET.encode(), TOKEN.encode(), hashlib.sha256
        ).hexdigest(),
    }


def test_private_reply_goes_to_the_commenter_through_the_send_api(graph: PlatformServer) -> None:
    delivered = _sender(graph).send(_comment_reply(public=False))

    assert delivered.external_id == "m_Aurora-private-0003"
    [arrived] = graph.arrived
    assert arrived.path == f"/{VERSION}/{PAGE_ID}/messages"
    form = arrived.form()
    assert json.loads(form["recipient"]) == {"comment_id": COMMENT}
    assert json.loads(form["message"]) == {"text": PERSIAN}
    assert form["messaging_type"] == "RESPONSE"


def test_messenger_reply_goes_to_the_persons_psid(graph: PlatformServer) -> None:
    delivered = _sender(graph).send(_messenger_reply())

    assert delivered.external_id == "m_Aurora-reply-0002"
    [arrived] = graph.arrived
    assert arrived.path == f"/{VERSION}/{PAGE_ID}/messages"
    assert arrived.query == {}
    form = arrived.form()
    assert json.loads(form["recipient"]) == {"id": PSID}
    assert json.loads(form["message"]) == {"text": PERSIAN}
    assert "\u200c" in json.loads(form["message"])["text"]  # ZWNJ of می‌فرستیم survives
    assert form["messaging_type"] == "RESPONSE"
    assert form["access_token"] == TOKEN


def test_messenger_recipient_falls_back_to_the_imported_psid(graph: PlatformServer) -> None:
    _sender(graph).send(_messenger_reply(recipient=None))

    assert json.loads(graph.arrived[0].form()["recipient"]) == {"id": PSID}


def test_without_a_page_id_the_send_api_is_called_on_me(graph: PlatformServer) -> None:
    _sender(graph).send(_messenger_reply(meta={"psid": PSID}))

    assert graph.arrived[0].path == f"/{VERSION}/me/messages"


def test_messenger_reply_without_any_psid_is_not_sent(graph: PlatformServer) -> None:
    with pytest.raises(DeliveryError, match="Messenger id"):
        _sender(graph).send(_messenger_reply(recipient=None, meta={"page_id": PAGE_ID}))

    assert graph.arrived == []


def test_facebook_reply_without_a_comment_is_not_sent(graph: PlatformServer) -> None:
    with pytest.raises(DeliveryError, match="in_reply_to"):
        _sender(graph).send(_comment_reply(in_reply_to=None))

    assert graph.arrived == []


def test_without_an_app_secret_no_proof_is_sent(graph_without_proof: PlatformServer) -> None:
    sender = make_sender(_settings(graph_without_proof, app_secret=None))

    sender.send(_comment_reply())

    assert "appsecret_proof" not in graph_without_proof.arrived[0].form()


def test_an_app_that_requires_the_proof_refuses_a_sender_without_it(graph: PlatformServer) -> None:
    sender = make_sender(_settings(graph, app_secret=None))

    with pytest.raises(DeliveryError) as raised:
        sender.send(_comment_reply())

    assert type(raised.value) is DeliveryError
    assert "Invalid appsecret_proof provided in the API argument" in str(raised.value)


def test_get_sender_builds_the_meta_sender_for_both_kinds(graph: PlatformServer) -> None:
    for kind, reply in [
        (ChannelKind.FACEBOOK, _comment_reply()),
        (ChannelKind.MESSENGER, _messenger_reply()),
    ]:
        assert get_sender(kind, _settings(graph)).send(reply).external_id
    assert len(graph.arrived) == 2


def test_bad_token_is_refused_with_graphs_message(graph: PlatformServer) -> None:
    sender = make_sender(_settings(graph, page_access_token="EAAexpired"))

    with pytest.raises(DeliveryError) as raised:
        sender.send(_comment_reply())

    assert type(raised.value) is DeliveryError
    assert "Invalid OAuth access token" in str(raised.value)
    assert "code 190" in str(raised.value)
    assert "EAAexpired" not in str(raised.value)


def test_deleted_comment_is_refused_with_the_numbered_message(graph: PlatformServer) -> None:
    error = _refusal(graph, DeliveryError, _comment_reply(in_reply_to="811_900000000000099"))

    assert "(#100) Unsupported post request." in str(error)
    assert "subcode 33" in str(error)


@pytest.mark.parametrize(
    ("fixture", "words"),
    [
        ("already_replied", "(#10900) Activity already replied to"),
        ("person_unavailable", "(#551) This person isn't available right now."),
        ("outside_messaging_window", "(#10) This message is sent outside of allowed window."),
    ],
)
def test_final_send_api_refusals(graph: PlatformServer, fixture: str, words: str) -> None:
    graph.answer_next(fixture_answer(FIXTURES, fixture, 400))

    assert words in str(_refusal(graph, DeliveryError, _messenger_reply()))


def test_rate_limit_code_is_retried_later(graph: PlatformServer) -> None:
    graph.answer_next(fixture_answer(FIXTURES, "rate_limit", 400))

    error = _refusal(graph, RetryLater, _messenger_reply())

    assert "(#613)" in str(error)


def test_page_rate_limit_waits_for_the_estimated_time(graph: PlatformServer) -> None:
    usage = {PAGE_ID: [{"type": "pages", "call_count": 100, "total_cputime": 12,
                        "total_time": 15, "estimated_time_to_regain_access": 7}]}  # fmt: skip
    graph.answer_next(
        fixture_answer(
            FIXTURES, "page_rate_limit", 400, **{"X-Business-Use-Case-Usage": json.dumps(usage)}
        )
    )

    error = _refusal(graph, RetryLater, _comment_reply())

    assert error.retry_after == 7 * 60
    assert "(#80001)" in str(error)


def test_transient_error_is_retried_later(graph: PlatformServer) -> None:
    graph.answer_next(fixture_answer(FIXTURES, "service_temporarily_unavailable", 500))

    error = _refusal(graph, RetryLater, _comment_reply())

    assert "An unexpected error has occurred. Please retry your request later." in str(error)


def test_error_after_the_message_went_out_is_uncertain(graph: PlatformServer) -> None:
    graph.answer_next(fixture_answer(FIXTURES, "invalid_json_reply", 500))

    error = _refusal(graph, DeliveryUncertain, _messenger_reply())

    assert "subcode 1357046" in str(error)


def test_http_429_without_a_graph_error_uses_retry_after(graph: PlatformServer) -> None:
    graph.answer_next(Answer(429, headers={"Retry-After": "30"}))

    assert _refusal(graph, RetryLater, _comment_reply()).retry_after == 30


def test_bare_503_is_retried_but_other_5xx_are_uncertain(graph: PlatformServer) -> None:
    graph.answer_next(Answer(503), Answer(502), Answer(504))

    _refusal(graph, RetryLater, _comment_reply())
    _refusal(graph, DeliveryUncertain, _comment_reply())
    _refusal(graph, DeliveryUncertain, _comment_reply())
    assert len(graph.arrived) == 3


def test_a_timeout_after_sending_is_uncertain(graph: PlatformServer) -> None:
    graph.answer_next(Answer(hang=5))

    error = _refusal(graph, DeliveryUncertain, _messenger_reply())

    assert "ReadTimeout" in str(error)
    assert json.loads(graph.arrived[0].form()["message"]) == {"text": PERSIAN}


def test_a_dropped_connection_is_uncertain(graph: PlatformServer) -> None:
    graph.answer_next(Answer(drop=True))

    _refusal(graph, DeliveryUncertain, _comment_reply())


def test_a_refused_connection_sent_nothing(graph: PlatformServer) -> None:
    sender = make_sender(_settings(graph, graph_base=f"http://127.0.0.1:{unused_port()}"))

    with pytest.raises(RetryLater) as raised:
        sender.send(_messenger_reply())

    assert "nothing was sent" in str(raised.value)
    assert TOKEN not in str(raised.value)


def test_success_without_an_id_is_uncertain(graph: PlatformServer) -> None:
    graph.answer_next(Answer(200, {"success": True}))

    _refusal(graph, DeliveryUncertain, _comment_reply())


def test_other_channel_kinds_are_refused(graph: PlatformServer) -> None:
    email = OutboundReply(delivery_id=1, kind=ChannelKind.EMAIL, settings={}, text="hi",
                          agent_name="Sara", recipient="a@example.com")  # fmt: skip

    with pytest.raises(DeliveryError, match="email"):
        _sender(graph).send(email)

    assert graph.arrived == []


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({}, "page_access_token"),
        ({"page_access_token": TOKEN, "graph_version": "21.0"}, "graph_version"),
        ({"page_access_token": TOKEN, "timeout": -1}, "timeout"),
        ({"page_access_token": TOKEN, "graph_base": "graph.facebook.com"}, "graph_base"),
        ({"page_access_token": TOKEN, "app_secret": 42}, "app_secret"),
    ],
)
def test_bad_settings_are_explained(settings: dict[str, Any], complaint: str) -> None:
    with pytest.raises(DeliveryError, match=complaint) as raised:
        make_sender(settings)

    assert TOKEN not in str(raised.value)


def test_secrets_stay_out_of_the_senders_repr() -> None:
    sender = make_sender({"page_access_token": TOKEN, "app_secret": APP_SECRET})

    assert TOKEN not in repr(sender)
    assert APP_SECRET not in repr(sender)
    assert "v21.0" in repr(sender)


def test_secrets_echoed_by_graph_are_scrubbed(graph: PlatformServer) -> None:
    echo = {"message": f"Malformed access token {TOKEN}", "type": "OAuthException", "code": 190}
    graph.answer_next(Answer(400, {"error": echo}))

    error = _refusal(graph, DeliveryError, _comment_reply())

    assert "Malformed access token [secret]" in str(error)
