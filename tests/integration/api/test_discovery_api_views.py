"""The newer discovery endpoints: each view on an upload and on the workspace's cases, with
the same options and case filters, and the same JSON as the command line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from tests.conftest import shared_data
from tests.integration.api.conftest import Headers

from rapport.discovery.hotspots import find_hotspots
from rapport.discovery.readers import ColumnMapping, read_log
from rapport.discovery.views import hotspots_json

FIXTURES = Path(__file__).parents[1] / "discovery" / "fixtures"
TICKETS = {"case": "ticket", "activity": "step", "timestamp": "at", "resource": "agent"}


def _post(
    client: TestClient, headers: Headers, view: str, path: Path, files: Any = None, **data: Any
) -> Any:
    return client.post(
        f"/api/v1/discovery/{view}",
        files={"file": (path.name, path.read_bytes()), **(files or {})},
        data=data,
        headers=headers,
    )


def test_hotspots_exceptions_and_networks_of_an_upload(client: TestClient, agent: Headers) -> None:
    tickets = FIXTURES / "tickets.csv"
    spots = _post(client, agent, "hotspots", tickets, **TICKETS, by="team", min_cases=1)
    assert spots.status_code == 200, spots.text
    log = read_log(tickets, mapping=ColumnMapping(**TICKETS))
    assert spots.json() == hotspots_json(find_hotspots(log, "team", min_cases=1))
    filtered = _post(
        client, agent, "hotspots", tickets, **TICKETS, by="team", min_cases=1, where="team=back"
    )
    assert filtered.json()["cases"] == 1  # the case filters apply to every view
    exceptions = _post(client, agent, "exceptions", tickets, **TICKETS)
    assert exceptions.status_code == 200, exceptions.text
    assert exceptions.json()["cases"] == 2
    network = _post(client, agent, "network", tickets, **TICKETS, by="team", kind="together")
    assert network.status_code == 200, network.text
    assert network.json()["edges"] == [{"source": "back", "target": "front", "weight": 1}]
    bad = _post(client, agent, "network", tickets, **TICKETS, kind="lunch")
    assert bad.status_code == 422


def test_water_coolers_of_bpic2013(client: TestClient, agent: Headers) -> None:
    path = shared_data("eventlogs/07_bpic2013_incidents.xes.gz")
    response = _post(client, agent, "water-coolers", path, by="org:group", min_count=15)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["pairs"]
    assert all(p["lift"] >= 2 and p["observed"] >= 15 for p in body["pairs"])
    assert body["network"]["directed"] is True
    shared = _post(client, agent, "water-coolers", path, by="org:group", kind="together")
    assert shared.status_code == 200, shared.text
    assert shared.json()["kind"] == "together"
    assert shared.json()["pairs"]


def test_model_and_conformance_of_an_upload_and_an_uploaded_model(
    client: TestClient, agent: Headers, tmp_path: Path
) -> None:
    path = shared_data("eventlogs/helpdesk.xes.gz")
    model = _post(client, agent, "model", path, noise=0.2, bpmn_xml=True)
    assert model.status_code == 200, model.text
    body = model.json()
    assert body["bpmn_xml"].startswith("<?xml")
    assert {n["type"] for n in body["nodes"]} >= {"start", "end", "task", "xor"}
    bpmn = ("helpdesk.bpmn", body["bpmn_xml"].encode("utf-8"))
    checked = _post(client, agent, "conformance", path, files={"model": bpmn}, limit=2)
    assert checked.status_code == 200, checked.text
    assert checked.json()["model"] == "helpdesk.bpmn"
    assert checked.json()["deviating_cases"] > 0
    assert len(checked.json()["deviating"]) == 2
    broken = ("broken.bpmn", b"<definitions")
    refused = _post(client, agent, "conformance", path, files={"model": broken})
    assert refused.status_code == 422
    message = refused.json()["error"]["message"]
    assert message.startswith("broken.bpmn: not a readable BPMN model")
    assert "/tmp" not in message


def test_kpi_of_two_periods_and_against_a_second_upload(client: TestClient, agent: Headers) -> None:
    path = shared_data("eventlogs/helpdesk.xes.gz")
    periods = _post(
        client, agent, "kpi", path, kpi="cycle-time", before="..2012-01-01", after="2012-01-01.."
    )
    assert periods.status_code == 200, periods.text
    assert periods.json()["test"] == "mann-whitney-u"
    assert periods.json()["significant"] is True
    tickets = FIXTURES / "tickets.csv"
    against = {"against": ("again.csv", tickets.read_bytes())}
    compared = _post(client, agent, "kpi", tickets, files=against, **TICKETS, kpi="rework-share")
    assert compared.status_code == 200, compared.text
    assert compared.json()["after"]["label"] == "again.csv"
    assert compared.json()["change"] == 0
    missing = _post(client, agent, "kpi", tickets, **TICKETS, kpi="first-response")
    assert missing.status_code == 422
    assert "response" in missing.json()["error"]["message"]


def _message(client: TestClient, headers: Headers, ext: str, author: str, text: str) -> None:
    body = {
        "channel": "web",
        "id": ext,
        "author": {"id": author, "name": f"Customer {author}"},
        "text": text,
        "sent_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
    }
    response = client.post("/api/v1/messages", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text


def test_the_cases_views_take_the_same_options_and_filters(
    client: TestClient, agent: Headers
) -> None:
    _message(client, agent, "v1", "cust-1", "My parcel never arrived")
    _message(client, agent, "v2", "cust-2", "Where is my refund?")
    for view in ("exceptions", "hotspots", "network", "water-coolers", "kpi"):
        response = client.get(f"/api/v1/discovery/cases/{view}", headers=agent)
        assert response.status_code == 200, (view, response.text)
    hotspots = client.get(
        "/api/v1/discovery/cases/hotspots", params={"min_cases": 1}, headers=agent
    ).json()
    assert hotspots["cases"] == 2
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    none = client.get("/api/v1/discovery/cases/map", params={"since": later}, headers=agent).json()
    assert none["activities"] == {}
    kpi = client.get(
        "/api/v1/discovery/cases/kpi", params={"kpi": "rework-share"}, headers=agent
    ).json()
    assert kpi["value"]["cases"] == 2
    openapi = client.get("/openapi.json").json()["paths"]
    for view in ("hotspots", "network", "water-coolers", "model", "conformance", "kpi"):
        assert "post" in openapi[f"/api/v1/discovery/{view}"]
        assert "get" in openapi[f"/api/v1/discovery/cases/{view}"]
    query = {p["name"] for p in openapi["/api/v1/discovery/cases/map"]["get"]["parameters"]}
    assert query >= {"min_count", "since", "until", "where", "top_variants", "variant"}
