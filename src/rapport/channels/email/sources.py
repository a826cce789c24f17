"""Where e-mail comes from on disk: one ``.eml`` file, a folder of them, or an ``mbox``.

Each message is yielded as its raw bytes with the place it was read, one at a time, so a
mailbox of any size streams through in the memory of its largest message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MBOX_SUFFIXES = frozenset({".mbox", ".mbx"})
FOLDER_SUFFIXES = frozenset({".eml"}) | MBOX_SUFFIXES
COMPANY_DOMAINS_FILE = "company-domains.txt"
# mboxrd quoting: a body line ">From ", ">>From ", ... was written with one '>' more.
_QUOTED_FROM = re.compile(rb"^>+From ")


@dataclass(frozen=True, slots=True)
class RawMessage:
    """A message's bytes and where they were: ``file a.eml``, ``[x.mbox ]message 3 (line 40)``."""

    location: str
    data: bytes


def is_mbox(path: Path) -> bool:
    """An mbox is named ``*.mbox``/``*.mbx`` or starts with an mbox ``From `` line."""
    if path.suffix.lower() in MBOX_SUFFIXES:
        return True
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def _mbox_messages(path: Path, prefix: str) -> Iterator[RawMessage]:
    lines: list[bytes] = []
    count, start, previous_blank = 0, 1, True

    def finish() -> RawMessage | None:
        while lines and not lines[-1].strip():
            lines.pop()  # the blank line before the next "From " belongs to the mbox
        if not lines:
            return None
        return RawMessage(f"{prefix}message {count} (line {start})", b"".join(lines))

    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if line.startswith(b"From ") and previous_blank:
                message = finish()
                if message is not None:
                    yield message
                lines, count, start = [], count + 1, number
                previous_blank = False
                continue
            if count == 0:  # text before the first "From " line: read it as a message too
                count, start = 1, number
            if line.startswith(b">") and _QUOTED_FROM.match(line):
                line = line[1:]
            lines.append(line)
            previous_blank = not line.strip()
    message = finish()
    if message is not None:
        yield message


def _file_messages(path: Path, name: str, in_folder: bool) -> Iterator[RawMessage]:
    if is_mbox(path):
        # An mbox imported alone is already named by the import; one in a folder is not.
        yield from _mbox_messages(path, f"{name} " if in_folder else "")
    else:
        yield RawMessage(f"file {name}", path.read_bytes())


def iter_raw_messages(path: Path) -> Iterator[RawMessage]:
    """Every message under ``path``: a file (eml or mbox) or a folder, walked recursively.

    A folder's ``.eml``, ``.mbox`` and ``.mbx`` files are read in sorted order of their
    path inside the folder; other files are ignored.
    """
    if not path.is_dir():
        yield from _file_messages(path, path.name, in_folder=False)
        return
    files = sorted(
        (p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FOLDER_SUFFIXES),
        key=lambda p: p.relative_to(path).as_posix(),
    )
    for file in files:
        yield from _file_messages(file, file.relative_to(path).as_posix(), in_folder=True)


def read_company_domains(path: Path) -> frozenset[str]:
    """The company's mail domains, from ``company-domains.txt`` beside the file or in the folder.

    One domain per line; blank lines and ``#`` comments are ignored. No file, no domains.
    """
    folder = path if path.is_dir() else path.parent
    listing = folder / COMPANY_DOMAINS_FILE
    if not listing.is_file():
        return frozenset()
    domains = set()
    for line in listing.read_text(encoding="utf-8").splitlines():
        domain = line.split("#", 1)[0].strip().lower().lstrip("@")
        if domain:
            domains.add(domain)
    return frozenset(domains)
