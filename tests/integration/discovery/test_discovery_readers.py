"""Reading logs from files and databases: formats, column mapping, bad input."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from tests.conftest import shared_data

from rapport.discovery.analysis import discover_map, discover_variants
from rapport.discovery.log import EventLogError
from rapport.discovery.readers import ColumnMapping, read_log, read_sql

FIXTURES = Path(__file__).parent / "fixtures"
TICKETS = ColumnMapping(case="ticket", activity="step", timestamp="at", resource="agent")


def test_csv_with_a_column_mapping() -> None:
    log = read_log(FIXTURES / "tickets.csv", mapping=TICKETS)
    assert log.events == 5
    assert log.cases == 2
    assert log.missing.no_resource == 1
    assert "team" in log.frame.columns
    edges = {(e.source, e.target): e for e in discover_map(log).edges}
    assert edges[("Open", "Answer")].mean_seconds == 3600
    # "2024-03-01 12:00:00" has no offset: taken as UTC, 11:00 after 10:00+01:00 = 09:00 UTC
    assert edges[("Answer", "Close")].mean_seconds == 3 * 3600


def test_xes_events_sorted_by_time_and_converted_to_utc() -> None:
    log = read_log(FIXTURES / "small.xes")
    assert [v.variant for v in discover_variants(log)] == [("a",), ("b", "a")]
    assert log.missing.no_resource == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken.xes", "broken.xes: not a readable XES log"),
        ("badtime.csv", "badtime.csv: row 2, field 'at': 'not a date'"),
        ("broken.jsonocel", "broken.jsonocel: line 3: not valid JSON"),
        ("missing.xes", "missing.xes: no such file"),
        ("tickets.txt", "unknown log format"),
    ],
)
def test_bad_files_are_errors_that_say_where(name: str, message: str) -> None:
    mapping = ColumnMapping(case="ticket", activity="step", timestamp="at")
    with pytest.raises(EventLogError, match=message):
        read_log(FIXTURES / name, mapping=mapping, object_type="Order")


def test_ocel_sqlite_flattened_on_an_object_type(tmp_path: Path) -> None:
    path = tmp_path / "orders.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            CREATE TABLE object (ocel_id TEXT, ocel_type TEXT);
            CREATE TABLE event_map_type (ocel_type TEXT, ocel_type_map TEXT);
            CREATE TABLE event_object (ocel_event_id TEXT, ocel_object_id TEXT,
                                       ocel_qualifier TEXT);
            CREATE TABLE event_Place (ocel_id TEXT, ocel_time TEXT, clerk TEXT);
            CREATE TABLE event_Ship (ocel_id TEXT, ocel_time TEXT, clerk TEXT);
            INSERT INTO object VALUES ('o1', 'order'), ('o2', 'order'), ('i1', 'item');
            INSERT INTO event_map_type VALUES ('Place order', 'Place'), ('Ship', 'Ship');
            INSERT INTO event_Place VALUES ('e1', '2024-01-01T10:00:00Z', 'ann'),
                                           ('e2', '2024-01-01T11:00:00Z', 'bob');
            INSERT INTO event_Ship VALUES ('e3', '2024-01-02T10:00:00Z', NULL);
            INSERT INTO event_object VALUES ('e1', 'o1', ''), ('e1', 'i1', ''),
                                            ('e2', 'o2', ''), ('e3', 'o1', ''), ('e3', 'o2', '');
            """
        )
    log = read_log(path, object_type="order")
    assert {v.variant: v.count for v in discover_variants(log)} == {("Place order", "Ship"): 2}
    with pytest.raises(EventLogError, match=r"no object type 'nope' .*item, order"):
        read_log(path, object_type="nope")


@pytest.mark.parametrize("name", ["ocel20_example.jsonocel", "ocel20_example.xmlocel"])
def test_ocel2_example_flattened_the_same_from_json_and_xml(name: str) -> None:
    log = read_log(shared_data(f"eventlogs/{name}"), object_type="Purchase Order")
    result = discover_map(log)
    assert result.start == {"Create Purchase Order": 2}
    assert sum(result.activities.values()) == log.events == 5


def test_sql_query_on_northwind() -> None:
    db = shared_data("eventlogs/northwind.sqlite")
    query = (
        "SELECT OrderID AS c, 'Order placed' AS a, OrderDate AS t, EmployeeID AS r FROM Orders "
        "UNION ALL SELECT OrderID, 'Shipped', ShippedDate, ShipVia FROM Orders"
    )
    log = read_sql(db, query, ColumnMapping(case="c", activity="a", timestamp="t", resource="r"))
    result = discover_map(log)
    assert result.activities == {"Order placed": 830, "Shipped": 830}
    assert log.missing.no_timestamp == 21  # orders not shipped yet
    with pytest.raises(EventLogError, match="the query failed: no such table"):
        read_sql(db, "SELECT * FROM missing_table", ColumnMapping())


@pytest.mark.parametrize(
    "relative", ["eventlogs/helpdesk.xes.gz", "eventlogs/07_bpic2013_incidents.xes.gz"]
)
def test_fast_xes_path_reads_exactly_what_rustxes_reads(relative: str) -> None:
    import polars as pl
    import rustxes

    from rapport.discovery.xes_fast import read_xes_fast

    path = shared_data(relative)
    fast = read_xes_fast(path)
    assert fast is not None
    reference, _ = rustxes.import_xes(str(path))
    assert sorted(fast.columns) == sorted(reference.columns)
    # rustxes also fills in the defaults of <global> declarations; pm4py and we do not, so
    # the comparison is on the columns every event has.
    core = ["case:concept:name", "concept:name", "time:timestamp", "org:resource"]
    for name in core:
        ours, theirs = fast[name], reference[name]
        if theirs.dtype == pl.Datetime:
            ours = ours.dt.replace_time_zone(None).cast(theirs.dtype)
        assert ours.to_list() == theirs.to_list(), name


def test_fast_xes_path_leaves_odd_files_to_rustxes(tmp_path: Path) -> None:
    from rapport.discovery.xes_fast import read_xes_fast

    text = (FIXTURES / "small.xes").read_text()
    odd = tmp_path / "commented.xes"
    odd.write_text(text.replace("<trace>", "<trace><!-- a comment -->", 1))
    assert read_xes_fast(odd) is None
    log = read_log(odd)  # rustxes reads it
    assert log.cases == 2
    escaped = tmp_path / "escaped.xes"
    escaped.write_text(text.replace('value="a"', 'value="a &amp; b"'))
    assert read_log(escaped).frame["activity"].to_list().count("a & b") == 2


MIXED = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016">
  <trace>
    <string key="concept:name" value="c1"/>
    <string key="region" value="Zoë &amp; عمر"/>
    <event>
      <string key="concept:name" value="Ouvrir la fiche"/>
      <date key="time:timestamp" value="2024-01-01T10:00:00.000+02:00"/>
      <int key="points" value="3"/>
      <float key="amount" value="35.5"/>
      <boolean key="paid" value="true"/>
      <string key="note" value="first"/>
      <string key="note" value="second"/>
    </event>
    <event>
      <string key="concept:name" value="Clôturer"/>
      <date key="time:timestamp" value="2024-01-01T07:00:00.000Z"/>
      <boolean key="paid" value="false"/>
    </event>
  </trace>
  <trace>
    <string key="concept:name" value="c2"/>
    <event><string key="concept:name" value="Ouvrir la fiche"/>
      <date key="time:timestamp" value="2024-01-02T10:00:00.000Z"/></event>
  </trace>
</log>
"""


def test_fast_xes_path_types_places_and_unescapes_every_attribute(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from rapport.discovery.xes_fast import read_xes_fast

    path = tmp_path / "mixed.xes"
    path.write_text(MIXED, encoding="utf-8")
    frame = read_xes_fast(path)
    assert frame is not None
    assert frame["concept:name"].to_list() == ["Ouvrir la fiche", "Clôturer", "Ouvrir la fiche"]
    assert frame["case:concept:name"].to_list() == ["c1", "c1", "c2"]
    assert frame["case:region"].to_list() == ["Zoë & عمر"] * 2 + [None]
    assert frame["points"].to_list() == [3, None, None]
    assert frame["amount"].to_list() == [35.5, None, None]
    assert frame["paid"].to_list() == [True, False, None]
    assert frame["note"].to_list() == ["first", None, None]  # a key twice: the first counts
    assert frame["time:timestamp"][0] == datetime(2024, 1, 1, 8, tzinfo=UTC)
    log = read_log(path)  # 07:00 UTC comes before 10:00+02:00: the log orders them
    variants = {v.variant for v in discover_variants(log)}
    assert variants == {("Clôturer", "Ouvrir la fiche"), ("Ouvrir la fiche",)}


def test_fast_xes_path_leaves_character_references_and_bad_bytes_to_rustxes(
    tmp_path: Path,
) -> None:
    from rapport.discovery.xes_fast import read_xes_fast

    referenced = tmp_path / "referenced.xes"
    referenced.write_text(MIXED.replace("Clôturer", "Cl&#244;turer"), encoding="utf-8")
    assert read_xes_fast(referenced) is None
    assert "Clôturer" in read_log(referenced).frame["activity"].to_list()
    latin = tmp_path / "latin.xes"
    latin.write_bytes(MIXED.replace("Clôturer", "Cl\udcf4turer").encode("utf-8", "surrogateescape"))
    assert read_xes_fast(latin) is None  # not UTF-8: the fast path does not guess


def test_gzipped_xes_in_several_members_reads_whole_and_truncated_is_an_error(
    tmp_path: Path,
) -> None:
    import gzip

    data = MIXED.encode()
    plain = tmp_path / "mixed.xes"
    plain.write_bytes(data)
    split = tmp_path / "split.xes.gz"  # what `cat a.gz b.gz` makes
    split.write_bytes(gzip.compress(data[:400]) + gzip.compress(data[400:]))
    assert read_log(split).frame.equals(read_log(plain).frame)
    truncated = tmp_path / "truncated.xes.gz"
    truncated.write_bytes(gzip.compress(data)[:-30])
    with pytest.raises(EventLogError, match=r"truncated\.xes\.gz: not a readable XES log"):
        read_log(truncated)
