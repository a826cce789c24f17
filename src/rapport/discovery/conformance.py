"""How well the log fits a model: token-based replay for every case, alignments on request.

Both are computed once per variant (cases with the same path replay the same way) and
spread back over the cases, so a log of thousands of cases costs its few hundred variants.
The figures are pm4py's: fitness per case, the share of cases that fit, and the log fitness
``0.5 (1 - missing/consumed) + 0.5 (1 - remaining/produced)`` over every case's tokens.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl

from rapport.discovery.log import ACTIVITY, CASE, EventLog
from rapport.discovery.model import ModelError, PetriNet, pm4py_quiet

MAX_ALIGNED_VARIANTS = 500
_BATCH = 200  # variants per call to pm4py, so a progress bar can move
_BATCH_ALIGNED = 10
_SKIP = ">>"


@dataclass(frozen=True)
class Deviation:
    case: str
    fitness: float
    missing_tokens: int = 0
    remaining_tokens: int = 0
    problems: list[str] = field(default_factory=list)  # activities replayed without a token
    steps: list[str] = field(default_factory=list)  # alignments: "skipped X" / "extra X"
    not_in_model: list[str] = field(default_factory=list)  # activities the model lacks


@dataclass(frozen=True)
class Conformance:
    model: str
    method: str  # "token-replay" or "alignments"
    cases: int
    fitting_cases: int
    fitting_share: float
    average_fitness: float
    log_fitness: float | None  # token replay only
    deviating_cases: int
    deviating: list[Deviation]  # the least fitting first, at most ``limit``

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _variants(log: EventLog) -> pl.DataFrame:
    """One row per variant: its activities and its cases (in log order)."""
    per_case = log.frame.group_by(CASE, maintain_order=True).agg(pl.col(ACTIVITY).alias("path"))
    return per_case.group_by("path", maintain_order=True).agg(pl.col(CASE).alias("cases"))


def _pm4py_log(paths: list[list[str]]) -> Any:
    from pm4py.objects.log.obj import Event, EventLog, Trace

    return EventLog([Trace([Event({"concept:name": a}) for a in path]) for path in paths])


def check_conformance(
    log: EventLog,
    model: PetriNet,
    *,
    alignments: bool = False,
    limit: int = 50,
    progress: Callable[[int, int], None] | None = None,
) -> Conformance:
    """Replay the log on ``model``; ``alignments`` for the exact deviating steps (at most
    ``MAX_ALIGNED_VARIANTS`` variants), token-based replay otherwise. ``progress(done,
    total)`` is called as the variants are replayed."""
    pm4py_quiet()
    variants = _variants(log)
    paths = variants["path"].to_list()
    groups = variants["cases"].to_list()
    if alignments and len(paths) > MAX_ALIGNED_VARIANTS:
        raise ModelError(
            f"{log.source}: {len(paths):,} variants is too many for alignments (at most "
            f"{MAX_ALIGNED_VARIANTS}); leave out --alignments for token-based replay"
        )
    replay = _align if alignments else _replay
    batch = _BATCH_ALIGNED if alignments else _BATCH
    results: list[dict[str, Any]] = []
    for first in range(0, len(paths), batch):
        results.extend(replay(paths[first : first + batch], model))
        if progress is not None:
            progress(len(results), len(paths))
    weights = [len(g) for g in groups]
    total = sum(weights)
    fitting = sum(w for w, r in zip(weights, results, strict=True) if r["fit"])
    labels = {t.label for t in model.net.transitions if t.label}
    deviating: list[Deviation] = []
    for path, cases, result in zip(paths, groups, results, strict=True):
        if not result["fit"]:
            result["unknown"] = sorted(set(path) - labels)
            deviating.extend(_deviation(str(c), result) for c in cases)
    deviating.sort(key=lambda d: (d.fitness, d.case))
    return Conformance(
        model=model.source,
        method="alignments" if alignments else "token-replay",
        cases=total,
        fitting_cases=fitting,
        fitting_share=fitting / total if total else 0.0,
        average_fitness=(
            sum(w * r["fitness"] for w, r in zip(weights, results, strict=True)) / total
            if total
            else 0.0
        ),
        log_fitness=None if alignments else _log_fitness(weights, results),
        deviating_cases=len(deviating),
        deviating=deviating[:limit],
    )


def _deviation(case: str, result: dict[str, Any]) -> Deviation:
    return Deviation(
        case=case,
        fitness=result["fitness"],
        missing_tokens=result.get("missing", 0),
        remaining_tokens=result.get("remaining", 0),
        problems=result.get("problems", []),
        steps=result.get("steps", []),
        not_in_model=result.get("unknown", []),
    )


def _replay(paths: list[list[str]], model: PetriNet) -> list[dict[str, Any]]:
    from pm4py.algo.conformance.tokenreplay import algorithm as token_replay

    replayed = token_replay.apply(
        _pm4py_log(paths),
        model.net,
        model.initial,
        model.final,
        parameters={"show_progress_bar": False},
    )
    return [
        {
            "fit": bool(r["trace_is_fit"]),
            "fitness": float(r["trace_fitness"]),
            "missing": int(r["missing_tokens"]),
            "remaining": int(r["remaining_tokens"]),
            "consumed": int(r["consumed_tokens"]),
            "produced": int(r["produced_tokens"]),
            "problems": sorted({t.label for t in r["transitions_with_problems"] if t.label}),
        }
        for r in replayed
    ]


def _align(paths: list[list[str]], model: PetriNet) -> list[dict[str, Any]]:
    from pm4py.algo.conformance.alignments.petri_net import algorithm as alignments

    with warnings.catch_warnings():  # numpy's matrix class, used by pm4py's LP solver
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        aligned = alignments.apply(
            _pm4py_log(paths),
            model.net,
            model.initial,
            model.final,
            parameters={"show_progress_bar": False},
        )
    results = []
    for a in aligned:
        steps = []
        for log_move, model_move in a["alignment"]:
            if log_move == _SKIP and model_move is not None:
                steps.append(f"skipped {model_move}")
            elif model_move == _SKIP:
                steps.append(f"extra {log_move}")
        results.append({"fit": not steps, "fitness": float(a["fitness"]), "steps": steps})
    return results


def _log_fitness(weights: list[int], results: list[dict[str, Any]]) -> float | None:
    def total(key: str) -> int:
        return sum(w * r[key] for w, r in zip(weights, results, strict=True))

    consumed, produced = total("consumed"), total("produced")
    if not consumed or not produced:
        return None
    return 0.5 * (1 - total("missing") / consumed) + 0.5 * (1 - total("remaining") / produced)
