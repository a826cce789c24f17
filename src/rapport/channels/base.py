"""The channel adapter protocol and the registry of importable file formats."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rapport.errors import InvalidInput
from rapport.ingest.records import Record
from rapport.store.models import ChannelKind

Reader = Callable[[Path], Iterator[Record]]


@dataclass(frozen=True, slots=True)
class FileFormat:
    """A file format a platform emits, and how to read it into records.

    ``read`` yields one record per message (or one ``Rejected`` per unreadable record) and
    must stream: it may not hold the whole file in memory.
    """

    name: str
    kind: ChannelKind
    default_channel: str
    description: str
    read: Reader


_FORMATS: dict[str, FileFormat] = {}


def register_format(fmt: FileFormat) -> FileFormat:
    if fmt.name in _FORMATS:
        raise ValueError(f"file format {fmt.name!r} is registered twice")
    _FORMATS[fmt.name] = fmt
    return fmt


BUILTIN_FORMAT_MODULES = (
    "rapport.channels.twitter.formats",
    "rapport.channels.generic.formats",
    "rapport.channels.meta.formats",
    "rapport.channels.email.formats",
)


def _load_builtin_formats() -> None:
    # Importing a channel's formats module registers them; done lazily, never at import time.
    for module in BUILTIN_FORMAT_MODULES:
        importlib.import_module(module)


def get_format(name: str) -> FileFormat:
    _load_builtin_formats()
    try:
        return _FORMATS[name]
    except KeyError:
        known = ", ".join(sorted(_FORMATS))
        raise InvalidInput(f"unknown format {name!r}; known formats: {known}") from None


def format_names() -> list[str]:
    _load_builtin_formats()
    return sorted(_FORMATS)
