"""Registers the generic JSON-lines format."""

from __future__ import annotations

from rapport.channels.base import FileFormat, register_format
from rapport.channels.generic.jsonl import read_jsonl
from rapport.store.models import ChannelKind

JSONL = register_format(
    FileFormat(
        name="jsonl",
        kind=ChannelKind.API,
        default_channel="imported",
        description="Rapport's generic JSON lines (one message per line; docs/import-formats.md)",
        read=read_jsonl,
    )
)
