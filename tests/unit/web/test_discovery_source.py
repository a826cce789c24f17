"""Uploaded logs in /discovery: the columns guessed for a CSV, and how many logs the server
holds in memory at once."""

from __future__ import annotations

from rapport.web.discovery_source import HeldLogs, guess_mapping


def test_the_csv_columns_are_guessed_from_their_names() -> None:
    assert guess_mapping(["Ticket", "Step", "At", "Agent", "team"]) == {
        "case": "Ticket",
        "activity": "Step",
        "timestamp": "At",
        "resource": "Agent",
    }
    assert guess_mapping(["x", "y"]) == dict.fromkeys(("case", "activity", "timestamp", "resource"))


def test_the_server_holds_a_bounded_number_of_uploaded_logs() -> None:
    released: list[str] = []
    held = HeldLogs(limit=2)
    for tab in ("a", "b", "c"):
        held.hold(tab, lambda tab=tab: released.append(tab))
    assert released == ["a"]  # the longest held made room
    held.hold("b", lambda: released.append("b again"))  # a new upload in tab b
    held.hold("d", lambda: released.append("d"))
    assert released == ["a", "c"]
    held.drop("b")
    assert len(held) == 1
