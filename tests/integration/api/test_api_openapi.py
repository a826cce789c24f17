"""The OpenAPI document describes every route the API serves."""

from __future__ import annotations

from fastapi.testclient import TestClient

ROUTES = {
    ("get", "/healthz"),
    ("post", "/api/v1/auth/token"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/conversations"),
    ("get", "/api/v1/conversations/{conversation_id}"),
    ("patch", "/api/v1/conversations/{conversation_id}"),
    ("post", "/api/v1/conversations/{conversation_id}/read"),
    ("post", "/api/v1/conversations/{conversation_id}/unread"),
    ("get", "/api/v1/messages"),
    ("post", "/api/v1/messages"),
    ("get", "/api/v1/contacts"),
    ("get", "/api/v1/contacts/{contact_id}"),
    ("get", "/api/v1/contacts/{contact_id}/conversations"),
    ("get", "/api/v1/deadletters"),
    ("get", "/api/v1/channels"),
}


def test_openapi_lists_every_route_and_the_bearer_scheme(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    listed = {
        (method, path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "patch", "put", "delete"}
    }
    assert listed >= ROUTES, ROUTES - listed

    schemes = document["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= next(iter(schemes.values())).items()
    listing = document["paths"]["/api/v1/conversations"]["get"]
    assert listing["security"]
    params = {p["name"] for p in listing["parameters"]}
    filters = {"channel", "status", "unread", "q", "since", "until", "sort", "limit", "offset"}
    assert params >= filters
    posted = document["paths"]["/api/v1/messages"]["post"]["requestBody"]["content"]
    assert set(posted["application/json"]["schema"]["required"]) == {
        "id",
        "text",
        "sent_at",
        "author",
    }
    assert "security" not in document["paths"]["/healthz"]["get"]
    assert client.get("/docs").status_code == 200


def test_unknown_routes_and_methods_answer_in_the_json_error_shape(client: TestClient) -> None:
    missing = client.get("/api/v1/tickets")
    assert missing.status_code == 404
    assert missing.json()["error"]["type"] == "not_found"

    wrong_method = client.delete("/api/v1/conversations/5")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Allow"] == "GET, PATCH"
    assert wrong_method.json()["error"]["type"] == "method_not_allowed"
