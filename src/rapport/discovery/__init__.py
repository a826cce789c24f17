"""Process discovery: event logs in, process maps, variants and handover networks out.

The domain code here imports no web or CLI framework; logs are polars DataFrames with the
columns ``case``, ``activity``, ``timestamp``, ``resource`` plus every other attribute.
"""

from rapport.discovery.analysis import (
    Edge,
    Handover,
    ProcessMap,
    Variant,
    discover_handover,
    discover_map,
    discover_variants,
)
from rapport.discovery.log import EventLog, EventLogError
from rapport.discovery.readers import ColumnMapping, read_log, read_sql

__all__ = [
    "ColumnMapping",
    "Edge",
    "EventLog",
    "EventLogError",
    "Handover",
    "ProcessMap",
    "Variant",
    "discover_handover",
    "discover_map",
    "discover_variants",
    "read_log",
    "read_sql",
]
