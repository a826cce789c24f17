"""Group messages of one batch into threads by the keys they share (union-find)."""

from __future__ import annotations

from collections.abc import Iterable

from rapport.ingest.records import InboundMessage


def group_into_threads(messages: Iterable[InboundMessage]) -> list[list[InboundMessage]]:
    """Split ``messages`` into groups that share a key, directly or through others."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        root = parent.setdefault(key, key)
        while root != parent[root]:
            parent[root] = parent[parent[root]]
            root = parent[root]
        return root

    ordered = list(messages)
    for message in ordered:
        own = find(message.external_id)
        if message.in_reply_to:
            other = find(message.in_reply_to)
            if other != own:
                parent[other] = own
        for ref in message.thread_refs:
            other = find(ref)
            own = find(own)
            if other != own:
                parent[other] = own
    groups: dict[str, list[InboundMessage]] = {}
    for message in ordered:
        groups.setdefault(find(message.external_id), []).append(message)
    return list(groups.values())
