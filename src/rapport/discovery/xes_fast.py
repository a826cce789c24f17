"""A vectorised reader for the common shape of XES files, several times faster than rustxes.

Most XES files (OpenXES, ProM, pm4py, Rapport's own export) write flat attributes as
``<type key="K" value="V"/>`` inside ``<trace>`` and ``<event>``. This reader finds every
``<`` and ``"`` of the decompressed file in one numpy scan (1 MB at a time, so that the
scan's temporaries stay in cache), tells tags apart by the two bytes after ``<``, places
attributes in their event or trace by running counts of opening and closing tags, cuts all
keys and all values out as Arrow strings in one call each, and dictionary-encodes the keys
to make the columns: no Python loop per event, none per attribute. Anything it does not
expect (comments or nested attributes inside traces, other quoting, numeric character
references, another encoding, files over 2 GiB) makes it answer ``None``, and the caller
reads the file with rustxes instead: it is a fast path, never a second opinion on what a
file means.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

Positions = npt.NDArray[np.int32]  # byte offsets: the fast path reads files under 2 GiB
_CHUNK = 1 << 20  # bytes scanned at a time, so the scan's temporaries stay in cache
_LT, _QUOTE, _SLASH = 60, 34, 47
# second byte of a tag -> XES type: 0 string (or id), 1 date, 2 float, 3 boolean, 4 int
_KINDS = np.full(256, -1, dtype=np.int8)
_KINDS[list(b"sdfbi")] = np.arange(5)
_FEW_KEYS = 256  # up to this many keys, one pass per key finds its attributes
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))


def read_xes_fast(path: Path) -> pl.DataFrame | None:
    """The events of a flat XES file as one frame (trace attributes as ``case:*``), or None."""
    data = decompressed(path.read_bytes())
    try:
        return parse_flat_xes(data)
    except (IndexError, ValueError, pl.exceptions.PolarsError, pa.ArrowException):
        return None  # a shape this reader does not know: rustxes will say what is wrong


def decompressed(raw: bytes) -> bytes:
    """The file's bytes, gunzipped if gzipped.

    When no second gzip header can follow (the usual case), the size in the gzip trailer
    sizes the output buffer, so inflating writes it once: about twice as fast as letting
    it grow. Otherwise the members are read one by one.
    """
    if raw[:2] != b"\x1f\x8b":
        return raw
    if not _may_hold_members(raw):  # one member: zlib checks its CRC and length
        return zlib.decompress(raw, wbits=31, bufsize=max(int.from_bytes(raw[-4:], "little"), 1))
    inflater = zlib.decompressobj(wbits=31)
    data = inflater.decompress(raw)
    if inflater.unused_data or not inflater.eof:
        return gzip.decompress(raw)  # several members, or truncated: gzip reads or says why
    return data


def _may_hold_members(raw: bytes) -> bool:
    """Whether anything after the first gzip header looks like another one."""
    at = raw.find(b"\x1f\x8b\x08", 10)
    while 0 <= at <= len(raw) - 10:
        flags, extra, system = raw[at + 3], raw[at + 8], raw[at + 9]
        if not flags & 0xE0 and extra in (0, 2, 4) and (system < 14 or system == 255):
            return True
        at = raw.find(b"\x1f\x8b\x08", at + 1)
    return False


def parse_flat_xes(data: bytes) -> pl.DataFrame | None:
    """The events of decompressed XES bytes, or None for a shape this reader leaves alone.

    May raise IndexError, ValueError, polars or Arrow errors on odd input; ``read_xes_fast``
    takes those as None too.
    """
    head = data[:200].lower()
    if b"encoding" in head and b"utf-8" not in head:
        return None
    start = data.find(b"<trace")
    escaped = data.find(b"&", start) >= 0
    if start < 0 or len(data) >= 2**31 or (escaped and data.find(b"&#", start) >= 0):
        return None  # numeric character references: rustxes decodes them
    arr = np.frombuffer(data, dtype=np.uint8)
    marks, is_lt = _marks(arr, start)
    at_lt = np.flatnonzero(is_lt).astype(np.int32)
    lt = marks[at_lt]
    quote_count = np.diff(at_lt, append=marks.size) - 1  # quotes between a '<' and the next
    tags = _Tags(arr, lt)
    if not tags.valid() or (quote_count != np.where(tags.is_attr, 4, 0)).any():
        return None  # comments, nested attributes, other quoting, <event/>...
    at = at_lt[tags.is_attr]
    q0, q1, q2, q3 = (marks[at + i] for i in range(1, 5))
    words = np.ndarray((arr.size - 7,), dtype="<u8", buffer=data, strides=(1,))
    if not (_word_is(words, q0 - 4, b"key=") and _word_is(words, q2 - 6, b"value=")):
        return None
    after = arr[q3 + 1]
    if not ((after == _SLASH) | ((after == ord(" ")) & (arr[q3 + 2] == _SLASH))).all():
        return None
    kinds = tags.kind[tags.is_attr]
    scope, row, event_trace = tags.scopes()
    if event_trace is None:
        return None  # events outside traces
    ascii_only = data.isascii()
    keys = _key_groups(data, scope, q0 + 1, q1, ascii_only=ascii_only)
    if keys is None:
        return None
    text = _strings(data, q2 + 1, q3, ascii_only=ascii_only)
    if text is None:
        return None
    every_value = pl.Series(text)  # cut in one go: far cheaper than once per key
    columns: tuple[list[pl.Series], list[pl.Series]] = ([], [])
    for name, members in keys:
        first = int(members[0])
        if scope[first] == 2:
            continue  # an attribute of the log after the traces: not part of any event
        target = row[members]
        if target.size > 1 and not (np.diff(target) > 0).all():  # a key twice in one event
            keep = np.concatenate(([True], np.diff(target) != 0))
            members, target = members[keep], target[keep]
        values = every_value.gather(members)
        if escaped and values.str.contains("&", literal=True).any():
            for entity, char in _ENTITIES:
                values = values.str.replace_all(entity, char, literal=True)
        rows = tags.events if scope[first] == 0 else tags.traces
        prefix = "" if scope[first] == 0 else "case:"
        columns[scope[first]].append(
            _placed(_typed(values, int(kinds[first])).rename(prefix + name), target, rows)
        )
    events = pl.DataFrame(columns[0]) if columns[0] else pl.DataFrame()
    if columns[1]:
        traces = pl.DataFrame(columns[1])
        events = pl.concat([events, traces[pl.Series(event_trace)]], how="horizontal")
    return events


class _Tags:
    """What each ``<`` of the body opens or closes, told from the two bytes after it."""

    def __init__(self, arr: npt.NDArray[np.uint8], lt: Positions) -> None:
        c1 = arr[lt + 1]
        c2 = arr[np.minimum(lt + 2, arr.size - 1)]
        closing = c1 == _SLASH
        self.arr, self.lt = arr, lt
        self.event_open = (c1 == ord("e")) & (c2 == ord("v"))
        self.event_close = closing & (c2 == ord("e"))
        self.trace_open = (c1 == ord("t")) & (c2 == ord("r"))
        self.trace_close = closing & (c2 == ord("t"))
        self.log_close = closing & (c2 == ord("l"))
        kind = _KINDS[c1]
        is_i = c1 == ord("i")
        kind[is_i & (c2 == ord("d"))] = 0  # <id>: a string
        kind[is_i & (c2 != ord("d")) & (c2 != ord("n"))] = -1
        self.kind = kind
        self.is_attr = kind >= 0
        self.events = int(np.count_nonzero(self.event_open))
        self.traces = int(np.count_nonzero(self.trace_open))

    def valid(self) -> bool:
        known = self.event_open | self.event_close | self.trace_open | self.trace_close
        if not (known | self.log_close | self.is_attr).all():
            return False
        e_open, t_open = self.lt[self.event_open], self.lt[self.trace_open]
        if not (
            _paired(e_open, self.lt[self.event_close])
            and _paired(t_open, self.lt[self.trace_close])
        ):
            return False
        # <event/>: rare, leave to rustxes
        return not (
            (self.arr[e_open + 6] == _SLASH).any() or (self.arr[t_open + 6] == _SLASH).any()
        )

    def scopes(self) -> tuple[npt.NDArray[np.int8], Positions, Positions | None]:
        """Per attribute: 0 event, 1 trace, 2 log, and the row it belongs to; per event,
        its trace (None if an event is outside every trace)."""
        events = np.cumsum(self.event_open, dtype=np.int32)
        in_event = _depth(self.event_open, self.event_close)[self.is_attr] > 0
        traces = np.cumsum(self.trace_open, dtype=np.int32)
        trace_depth = _depth(self.trace_open, self.trace_close)
        in_trace = ~in_event & (trace_depth[self.is_attr] > 0)
        scope = np.where(in_event, 0, np.where(in_trace, 1, 2)).astype(np.int8)
        row = np.where(in_event, events[self.is_attr] - 1, traces[self.is_attr] - 1)
        if (trace_depth[self.event_open] <= 0).any():
            return scope, row, None
        return scope, row, traces[self.event_open] - 1


def _depth(opens: npt.NDArray[np.bool_], closes: npt.NDArray[np.bool_]) -> npt.NDArray[np.int8]:
    """1 inside an element, 0 outside (opens and closes are known to alternate)."""
    return np.cumsum(opens.view(np.int8) - closes.view(np.int8), dtype=np.int8)


def _key_groups(
    data: bytes,
    scope: npt.NDArray[np.int8],
    starts: Positions,
    ends: Positions,
    *,
    ascii_only: bool,
) -> list[tuple[str, Positions]] | None:
    """Each (scope, key) with its attributes, in order of first appearance."""
    keys = _strings(data, starts, ends, ascii_only=ascii_only)
    if keys is None:
        return None
    encoded = pc.dictionary_encode(keys)
    names = encoded.dictionary.to_pylist()
    codes = encoded.indices.to_numpy().astype(np.int32) * 3 + scope
    present = np.flatnonzero(np.bincount(codes, minlength=3 * len(names)))
    if present.size <= _FEW_KEYS:
        groups = [np.flatnonzero(codes == code).astype(np.int32) for code in present]
    else:
        order = np.argsort(codes, kind="stable").astype(np.int32)
        groups = np.split(order, np.cumsum(np.bincount(codes)[present])[:-1])
    groups.sort(key=lambda members: int(members[0]))
    return [(names[int(codes[members[0]]) // 3], members) for members in groups]


def _marks(arr: npt.NDArray[np.uint8], start: int) -> tuple[Positions, npt.NDArray[np.bool_]]:
    """The offset of every ``<`` and ``"`` from ``start`` on, in order, and which are ``<``."""
    parts, kinds = [], []
    for at in range(start, arr.size, _CHUNK):
        chunk = arr[at : at + _CHUNK]
        is_lt = chunk == _LT
        found = np.flatnonzero(is_lt | (chunk == _QUOTE))
        kinds.append(is_lt[found])
        found = found.astype(np.int32)
        found += at
        parts.append(found)
    if not parts:
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.bool_)
    return np.concatenate(parts), np.concatenate(kinds)


def _word_is(words: npt.NDArray[np.uint64], at: Positions, text: bytes) -> bool:
    """Whether the bytes at every position of ``at`` spell ``text`` (at most 8 bytes)."""
    if (at < 0).any():
        return False
    mask = np.uint64((1 << 8 * len(text)) - 1)
    return bool(((words[at] & mask) == np.uint64(int.from_bytes(text, "little"))).all())


def _placed(values: pl.Series, at: Positions, rows: int) -> pl.Series:
    """A column of ``rows`` with ``values`` at the strictly increasing rows ``at``."""
    if at.size == rows:
        return values
    column = pl.Series(values.name, [None], dtype=values.dtype).extend_constant(None, rows - 1)
    return column.scatter(at, values) if at.size else column


def _paired(opens: Positions, closes: Positions) -> bool:
    if opens.size != closes.size:
        return False
    if not opens.size:
        return True
    return bool((opens < closes).all() and (closes[:-1] < opens[1:]).all())


def _strings(
    data: bytes, starts: Positions, ends: Positions, *, ascii_only: bool
) -> pa.Array | None:
    """Arrow strings data[starts[i]:ends[i]], cut without a Python loop (None: not UTF-8)."""
    n = starts.size
    if not n:
        return pa.array([], type=pa.string())
    offsets = np.empty(2 * n + 1, dtype=np.int32)
    offsets[0:-1:2] = starts
    offsets[1::2] = ends
    offsets[-1] = ends[-1]
    spans = pa.StringArray.from_buffers(2 * n, pa.py_buffer(offsets), pa.py_buffer(data))
    cut = spans.take(pa.array(np.arange(0, 2 * n, 2, dtype=np.int32)))
    try:
        cut.validate(full=not ascii_only)  # ASCII is valid UTF-8: no need to look again
    except pa.ArrowInvalid:
        return None
    return cut


def _typed(values: pl.Series, code: int) -> pl.Series:
    if code == 1:
        quick = values.str.to_datetime(
            "%Y-%m-%dT%H:%M:%S%.f%:z", time_unit="us", time_zone="UTC", strict=False
        )
        if quick.null_count() == values.null_count():
            return quick
        from rapport.discovery.readers import parse_timestamps

        return parse_timestamps(values, "xes")
    if code == 2:
        return values.cast(pl.Float64, strict=False)
    if code == 3:
        return values.str.to_lowercase() == "true"
    if code == 4:
        return values.cast(pl.Int64, strict=False)
    return values
