"""A vectorised reader for the common shape of XES files, about three times faster than rustxes.

Most XES files (OpenXES, ProM, pm4py, Rapport's own export) write flat attributes as
``<type key="K" value="V"/>`` inside ``<trace>`` and ``<event>``. This reader finds every tag
and quote with numpy over the whole decompressed file and cuts keys and values out as Arrow
strings, with no Python loop per event. Anything it does not expect (comments or nested
attributes inside traces, other quoting, numeric character references, another encoding)
makes it answer ``None``, and the caller reads the file with rustxes instead: it is a fast
path, never a second opinion on what a file means.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

Positions = npt.NDArray[np.int64]
_LT, _QUOTE, _SLASH = 60, 34, 47
# second byte of a tag -> XES attribute type; 'i' is int or id (told apart by the third byte)
_TYPES = {ord("s"): "string", ord("d"): "date", ord("f"): "float", ord("b"): "boolean"}
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))


def read_xes_fast(path: Path) -> pl.DataFrame | None:
    """The events of a flat XES file as one frame (trace attributes as ``case:*``), or None."""
    raw = path.read_bytes()
    data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    del raw
    try:
        return _parse(data)
    except (IndexError, ValueError, pl.exceptions.PolarsError, pa.ArrowException):
        return None  # a shape this reader does not know: rustxes will say what is wrong


def _parse(data: bytes) -> pl.DataFrame | None:
    head = data[:200].lower()
    if b"encoding" in head and b"utf-8" not in head:
        return None
    start = data.find(b"<trace")
    if start < 0:
        return None
    arr = np.frombuffer(data, dtype=np.uint8)
    lt = np.flatnonzero(arr[start:] == _LT).astype(np.int64) + start
    c1 = arr[lt + 1]
    c2 = arr[np.minimum(lt + 2, arr.size - 1)]
    closing = c1 == _SLASH
    event_open = (c1 == ord("e")) & (c2 == ord("v"))
    event_close = closing & (c2 == ord("e"))
    trace_open = (c1 == ord("t")) & (c2 == ord("r"))
    trace_close = closing & (c2 == ord("t"))
    log_close = closing & (c2 == ord("l"))
    is_int = (c1 == ord("i")) & (c2 == ord("n"))
    is_id = (c1 == ord("i")) & (c2 == ord("d"))
    is_attr = np.isin(c1, list(_TYPES)) | is_int | is_id
    known = event_open | event_close | trace_open | trace_close | log_close | is_attr
    if not known.all():
        return None  # comments, nested attributes (list, container), globals after traces...
    e_open, e_close = lt[event_open], lt[event_close]
    t_open, t_close = lt[trace_open], lt[trace_close]
    if not (_paired(e_open, e_close) and _paired(t_open, t_close)):
        return None
    if (arr[e_open + 6] == _SLASH).any() or (arr[t_open + 6] == _SLASH).any():
        return None  # <event/>: rare, leave to rustxes

    attr_at = lt[is_attr]
    next_lt = np.append(lt, arr.size)[1:][is_attr]
    quotes = np.flatnonzero(arr[start:] == _QUOTE).astype(np.int64) + start
    first = np.searchsorted(quotes, attr_at)
    if not np.array_equal(np.searchsorted(quotes, next_lt) - first, np.full(first.size, 4)):
        return None
    q0, q1, q2, q3 = (quotes[first + i] for i in range(4))
    if not (_bytes_before(arr, q0, b"key=") and _bytes_before(arr, q2, b"value=")):
        return None
    after = arr[q3 + 1]
    if not ((after == _SLASH) | ((after == ord(" ")) & (arr[q3 + 2] == _SLASH))).all():
        return None

    keys = _strings(data, q0 + 1, q1)
    values = _strings(data, q2 + 1, q3)
    if keys is None or values is None:
        return None
    kinds = np.where(is_int[is_attr], 1, np.where(is_id[is_attr], 2, 0))
    type_codes = np.select(
        [c1[is_attr] == ord(t) for t in "sdfb"] + [kinds == 1, kinds == 2],
        [0, 1, 2, 3, 4, 0],
    )
    event_of = np.searchsorted(e_open, attr_at, side="right") - 1
    in_event = (event_of >= 0) & (attr_at < e_close[np.maximum(event_of, 0)])
    trace_of = np.searchsorted(t_open, attr_at, side="right") - 1
    in_trace = ~in_event & (trace_of >= 0) & (attr_at < t_close[np.maximum(trace_of, 0)])
    event_trace = np.searchsorted(t_open, e_open, side="right") - 1
    if (event_trace < 0).any() or (e_open > t_close[np.maximum(event_trace, 0)]).any():
        return None  # events outside traces

    long = pl.DataFrame(
        {
            "row": np.where(in_event, event_of, np.where(in_trace, trace_of, -1)),
            "scope": np.where(in_event, 0, np.where(in_trace, 1, 2)).astype(np.int8),
            "type": type_codes.astype(np.int8),
            "key": pl.from_arrow(keys),
            "value": pl.from_arrow(values),
        }
    )
    if long["value"].str.contains("&", literal=True).any():
        if long["value"].str.contains("&#", literal=True).any():
            return None
        value = pl.col("value")
        for entity, char in _ENTITIES:
            value = value.str.replace_all(entity, char, literal=True)
        long = long.with_columns(value)
    events = _wide(long.filter(pl.col("scope") == 0), e_open.size, "")
    traces = _wide(long.filter(pl.col("scope") == 1), t_open.size, "case:")
    if traces.width:
        events = pl.concat([events, traces[pl.Series(event_trace)]], how="horizontal")
    return events


def _paired(opens: Positions, closes: Positions) -> bool:
    if opens.size != closes.size:
        return False
    if not opens.size:
        return True
    return bool((opens < closes).all() and (closes[:-1] < opens[1:]).all())


def _bytes_before(arr: npt.NDArray[np.uint8], at: Positions, text: bytes) -> bool:
    if (at < len(text)).any():
        return False
    return all(bool((arr[at - len(text) + i] == byte).all()) for i, byte in enumerate(text))


def _strings(data: bytes, starts: Positions, ends: Positions) -> pa.Array | None:
    """Arrow strings data[starts[i]:ends[i]], cut without a Python loop."""
    n = starts.size
    if not n:
        return pa.array([], type=pa.large_string())
    offsets = np.empty(2 * n + 1, dtype=np.int64)
    offsets[0:-1:2] = starts
    offsets[1::2] = ends
    offsets[-1] = ends[-1]
    spans = pa.LargeStringArray.from_buffers(2 * n, pa.py_buffer(offsets), pa.py_buffer(data))
    cut = spans.take(pa.array(np.arange(0, 2 * n, 2)))
    try:
        cut.validate(full=True)
    except pa.ArrowInvalid:
        return None
    return cut


def _wide(long: pl.DataFrame, rows: int, prefix: str) -> pl.DataFrame:
    """One column per key, typed from the XES tag of its first value."""
    columns: list[pl.Series] = []
    for (key,), part in long.partition_by("key", as_dict=True, maintain_order=True).items():
        at = part["row"].to_numpy()
        if at.size > 1 and not (np.diff(at) > 0).all():
            part = part.unique("row", keep="first", maintain_order=True)
            at = part["row"].to_numpy()
        values = _typed(part["value"], int(part["type"][0]))
        column = pl.Series(f"{prefix}{key}", [None], dtype=values.dtype).extend_constant(
            None, rows - 1
        )
        columns.append(column.scatter(at, values) if at.size else column)
    return pl.DataFrame(columns) if columns else pl.DataFrame()


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
