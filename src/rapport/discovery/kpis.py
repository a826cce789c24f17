"""KPIs of a process and whether they changed: before and after, in one log or two.

A KPI is measured per case: a duration (cycle time, first response time) or a yes/no (the
case had rework, the case had an event with some attribute value). Durations are compared
with the Mann-Whitney U test (no assumption on their shape; they are rarely normal), shares
with the two-proportion z-test; both two-sided, significant when p < 0.05.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import polars as pl

from rapport.discovery.exceptions import rework_cases
from rapport.discovery.filters import filter_time
from rapport.discovery.log import ACTIVITY, CASE, TIMESTAMP, EventLog, EventLogError

KPIS = ("cycle-time", "first-response", "rework-share", "share")
DURATIONS = ("cycle-time", "first-response")
ALPHA = 0.05


@dataclass(frozen=True)
class KpiSpec:
    """Which KPI: ``response_activity`` for first-response, ``where`` (KEY=VALUE) for share."""

    kpi: str
    response_activity: str | None = None
    where: str | None = None

    def check(self) -> KpiSpec:
        if self.kpi not in KPIS:
            raise EventLogError(f"--kpi {self.kpi!r}: must be one of {', '.join(KPIS)}")
        if self.kpi == "first-response" and not self.response_activity:
            raise EventLogError("--kpi first-response needs --response-activity NAME")
        if self.kpi == "share" and (not self.where or "=" not in self.where):
            raise EventLogError("--kpi share needs --where KEY=VALUE")
        return self


@dataclass(frozen=True)
class KpiValue:
    label: str
    cases: int  # cases measured (for first-response: those that reached the activity)
    value: float | None  # median seconds, or the share
    mean: float | None = None
    p90: float | None = None
    hits: int | None = None  # shares: cases with the property
    without: int = 0  # first-response: cases that never reached the activity


@dataclass(frozen=True)
class KpiComparison:
    kpi: str
    unit: str
    before: KpiValue
    after: KpiValue
    change: float | None
    relative_change: float | None
    test: str
    statistic: float | None
    p_value: float | None
    significant: bool

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def per_case(log: EventLog, spec: KpiSpec) -> pl.DataFrame:
    """``case, value`` per case: seconds for durations, true/false for shares."""
    frame = log.frame
    if spec.kpi == "cycle-time":
        value = (pl.col(TIMESTAMP).max() - pl.col(TIMESTAMP).min()).dt.total_microseconds() / 1e6
        return frame.group_by(CASE).agg(value.alias("value"))
    if spec.kpi == "first-response":
        start = pl.col(TIMESTAMP).min()
        reply = pl.col(TIMESTAMP).filter(pl.col(ACTIVITY) == spec.response_activity).min()
        seconds = (reply - start).dt.total_microseconds() / 1e6
        return frame.group_by(CASE).agg(seconds.alias("value"))
    if spec.kpi == "rework-share":
        cases = frame[CASE].unique()
        return pl.DataFrame({CASE: cases}).with_columns(
            pl.col(CASE).is_in(rework_cases(log).implode()).alias("value")
        )
    key, _, wanted = (spec.where or "").partition("=")
    column = log.column(key.strip())
    hit = (pl.col(column).cast(pl.String) == wanted.strip()).fill_null(False).any()
    return frame.group_by(CASE).agg(hit.alias("value"))


def measure_kpi(log: EventLog, spec: KpiSpec, label: str = "") -> KpiValue:
    """The KPI over the log: median, mean and p90 of a duration, or a share of cases."""
    values = per_case(log, spec.check())["value"]
    label = label or log.source
    if spec.kpi in DURATIONS:
        known = values.drop_nulls()
        return KpiValue(
            label=label,
            cases=known.len(),
            value=_float(known.median()),
            mean=_float(known.mean()),
            p90=_float(known.quantile(0.9, interpolation="linear")),
            without=values.len() - known.len(),
        )
    hits = int(values.sum())
    return KpiValue(
        label=label,
        cases=values.len(),
        value=hits / values.len() if values.len() else None,
        hits=hits,
    )


def compare_kpi(
    before: EventLog, after: EventLog, spec: KpiSpec, labels: tuple[str, str] = ("", "")
) -> KpiComparison:
    """The KPI in ``before`` and in ``after``, the change and its significance."""
    spec = spec.check()
    first, second = measure_kpi(before, spec, labels[0]), measure_kpi(after, spec, labels[1])
    if spec.kpi in DURATIONS:
        test, (statistic, p_value) = "mann-whitney-u", _mann_whitney(before, after, spec)
        unit = "seconds"
    else:
        test, (statistic, p_value) = "two-proportion-z", _two_proportions(first, second)
        unit = "share"
    change = None
    relative = None
    if first.value is not None and second.value is not None:
        change = second.value - first.value
        relative = change / first.value if first.value else None
    return KpiComparison(
        kpi=spec.kpi,
        unit=unit,
        before=first,
        after=second,
        change=change,
        relative_change=relative,
        test=test,
        statistic=statistic,
        p_value=p_value,
        significant=p_value is not None and p_value < ALPHA,
    )


def _mann_whitney(
    before: EventLog, after: EventLog, spec: KpiSpec
) -> tuple[float | None, float | None]:
    a = per_case(before, spec)["value"].drop_nulls().to_numpy()
    b = per_case(after, spec)["value"].drop_nulls().to_numpy()
    if len(a) == 0 or len(b) == 0:
        return None, None
    from scipy.stats import mannwhitneyu

    result = mannwhitneyu(a, b, alternative="two-sided")
    return float(result.statistic), float(result.pvalue)


def _two_proportions(a: KpiValue, b: KpiValue) -> tuple[float | None, float | None]:
    if not a.cases or not b.cases or a.hits is None or b.hits is None:
        return None, None
    pooled = (a.hits + b.hits) / (a.cases + b.cases)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / a.cases + 1 / b.cases))
    if spread == 0:  # both shares 0 % or both 100 %: no difference to test
        return 0.0, 1.0
    from scipy.stats import norm

    z = (b.hits / b.cases - a.hits / a.cases) / spread
    return z, float(2 * norm.sf(abs(z)))


def parse_period(text: str, option: str) -> tuple[datetime | None, datetime | None]:
    """``START..END`` (ISO dates or times; END excluded; either may be left empty)."""
    start, sep, end = text.partition("..")
    if not sep:
        raise EventLogError(f"{option} {text!r}: expected START..END, e.g. 2024-01-01..2024-07-01")
    return _moment(start, option), _moment(end, option)


def split_periods(log: EventLog, before: str, after: str) -> tuple[EventLog, EventLog]:
    """The cases that started in each period (``START..END``)."""
    return (
        filter_time(log, *parse_period(before, "--before")),
        filter_time(log, *parse_period(after, "--after")),
    )


def _moment(text: str, option: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise EventLogError(
            f"{option}: {text!r} is not a date or time like 2024-05-01 or 2024-05-01T09:00+02:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None
