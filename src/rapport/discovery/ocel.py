"""OCEL 2.0 logs (JSON, XML, SQLite) flattened on one object type into a case log.

Flattening: every object of the chosen type becomes a case; every event related to it is
an event of that case (an event related to two such objects appears in both cases).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import polars as pl

from rapport.discovery.log import ACTIVITY, CASE, TIMESTAMP, EventLog, EventLogError, build_log
from rapport.discovery.readers import parse_timestamps

Rows = tuple[list[dict[str, Any]], list[tuple[str, str, str]]]  # events; (event, object, type)


def object_types(path: Path) -> list[str]:
    """The object types a log has, to offer when the user has not picked one."""
    _events, links = _load(path)
    return sorted({t for _e, _o, t in links})


def read_ocel(path: Path, object_type: str) -> EventLog:
    events, links = _load(path)
    types = sorted({t for _e, _o, t in links})
    if object_type not in types:
        raise EventLogError(
            f"{path}: no object type {object_type!r} (there are: {', '.join(types)})"
        )
    if not events:
        raise EventLogError(f"{path}: the log has no events")
    event_frame = pl.DataFrame(events, infer_schema_length=None).rename(
        {"id": "ocel:eid", "type": ACTIVITY, "time": TIMESTAMP}
    )
    link_frame = pl.DataFrame(
        [(e, o) for e, o, t in links if t == object_type],
        schema={"ocel:eid": pl.String, CASE: pl.String},
        orient="row",
    )
    frame = link_frame.join(event_frame, on="ocel:eid", how="inner", maintain_order="left")
    if frame.schema[TIMESTAMP] == pl.String:
        frame = frame.with_columns(parse_timestamps(frame[TIMESTAMP], str(path)))
    return build_log(frame, f"{path} (objects of type {object_type})")


def _load(path: Path) -> Rows:
    name = path.name.lower()
    try:
        if name.endswith(".jsonocel"):
            return _from_json(path)
        if name.endswith(".xmlocel"):
            return _from_xml(path)
        return _from_sqlite(path)
    except json.JSONDecodeError as exc:
        raise EventLogError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise EventLogError(f"{path}: line {line}, column {column}: not valid XML") from None
    except sqlite3.Error as exc:
        raise EventLogError(f"{path}: not an OCEL 2.0 SQLite database ({exc})") from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise EventLogError(f"{path}: not an OCEL 2.0 log (missing or odd field {exc})") from None


def _from_json(path: Path) -> Rows:
    data = json.loads(path.read_text(encoding="utf-8"))
    type_of = {o["id"]: o["type"] for o in data["objects"]}
    events: list[dict[str, Any]] = []
    links: list[tuple[str, str, str]] = []
    for number, event in enumerate(data["events"]):
        if "id" not in event or "type" not in event:
            raise EventLogError(f"{path}: events[{number}] has no 'id' or 'type'")
        row: dict[str, Any] = {"id": event["id"], "type": event["type"], "time": event.get("time")}
        for attribute in event.get("attributes") or ():
            row[attribute["name"]] = _text(attribute.get("value"))
        events.append(row)
        for rel in event.get("relationships") or ():
            oid = rel["objectId"]
            links.append((event["id"], oid, type_of.get(oid, "?")))
    return events, links


def _from_xml(path: Path) -> Rows:
    root = ElementTree.parse(path).getroot()
    type_of = {o.get("id", ""): o.get("type", "?") for o in root.iter("object")}
    events: list[dict[str, Any]] = []
    links: list[tuple[str, str, str]] = []
    for event in root.iter("event"):
        eid = event.get("id")
        if eid is None:
            raise EventLogError(f"{path}: an <event> has no id")
        row: dict[str, Any] = {"id": eid, "type": event.get("type"), "time": event.get("time")}
        for attribute in event.iter("attribute"):
            row[attribute.get("name", "")] = attribute.text
        events.append(row)
        for rel in event.iter("relationship"):
            oid = rel.get("object-id", "")
            links.append((eid, oid, type_of.get(oid, "?")))
    return events, links


def _from_sqlite(path: Path) -> Rows:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        type_of = dict(conn.execute("SELECT ocel_id, ocel_type FROM object").fetchall())
        tables = dict(conn.execute("SELECT ocel_type, ocel_type_map FROM event_map_type"))
        events: list[dict[str, Any]] = []
        for activity, suffix in tables.items():
            # The table's name comes from the file: quoted as an identifier, never spliced raw.
            table = '"' + f"event_{suffix}".replace('"', '""') + '"'
            cursor = conn.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cursor.description]
            for values in cursor:
                row = dict(zip(names, values, strict=True))
                events.append(
                    {
                        "id": row.pop("ocel_id"),
                        "type": activity,
                        "time": row.pop("ocel_time"),
                        **{k: _text(v) for k, v in row.items()},
                    }
                )
        links = [
            (e, o, type_of.get(o, "?"))
            for e, o in conn.execute("SELECT ocel_event_id, ocel_object_id FROM event_object")
        ]
    return events, links


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
