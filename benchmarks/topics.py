"""Topics benchmark (issue 4): how fast the top topics of many messages are found, and how
coherent they are.

Reads the customer (inbound) tweets of the twcs sample and repeats them, each copy with a
different made-up hashtag, up to ``--messages`` (100,000 by default; the sample has about
540 distinct ones). Prints, measured in one run on this machine:
1. fitting (on a seeded sample of at most 20,000) and assigning every message, in seconds,
   and the peak resident memory of the process (texts included);
2. coherence: the mean cosine similarity of two messages of the same topic (TF-IDF, the
   model's own vectors), against the baseline of the same topic sizes filled at random;
3. the largest topics with their labels;
4. what the per-day series of every topic cost: assigning with each post's sent time
   (spread over 90 days) against assigning without, and folding the tallies into the
   local days of Asia/Tehran.

    .venv/bin/python benchmarks/topics.py
    .venv/bin/python benchmarks/topics.py --messages 20000 --data PATH
"""

from __future__ import annotations

import argparse
import csv
import resource
import time
from pathlib import Path

import numpy as np

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "twcs" / "twcs_sample.csv"
CHUNK = 5_000


def read_texts(path: Path, count: int) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        inbound = [row["text"] for row in csv.DictReader(handle) if row["inbound"] == "True"]
    return [
        inbound[n % len(inbound)] + ("" if n < len(inbound) else f" #copy{n // len(inbound)}")
        for n in range(count)
    ]


def mean_pair_similarity(vectors: object, labels: np.ndarray, topics: int) -> float:
    """Mean cosine of two distinct members of one topic, over the topics (unit vectors:
    the sum of a topic's vectors has squared length n + the sum over its pairs)."""
    import scipy.sparse as sp

    matrix = sp.csr_matrix(vectors)
    scores = []
    for topic in range(topics):
        members = np.flatnonzero(labels == topic)
        if len(members) < 2:
            continue
        total = np.asarray(matrix[members].sum(axis=0)).ravel()
        n = len(members)
        scores.append((float(total @ total) - n) / (n * (n - 1)))
    return float(np.mean(scores)) if scores else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()

    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from rapport.intelligence.topics.days import day_starts, topic_days
    from rapport.intelligence.topics.model import fit_topic_model
    from rapport.intelligence.topics.summary import TopicPost, TopicTally

    texts = read_texts(args.data, args.messages)
    started = time.perf_counter()
    model = fit_topic_model(texts)
    fitted = time.perf_counter() - started
    tally = TopicTally(model)
    for start in range(0, len(texts), CHUNK):
        chunk = texts[start : start + CHUNK]
        tally.add([TopicPost(start + n + 1, 0, text, "en", None) for n, text in enumerate(chunk)])
    topics = tally.topics()
    total = time.perf_counter() - started
    labels = [model.assign(texts[s : s + CHUNK]).topics for s in range(0, len(texts), CHUNK)]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux

    # coherence on a seeded sample of 10,000 assigned messages
    assigned = np.concatenate(labels)
    rng = np.random.default_rng(0)
    picked = np.sort(rng.choice(len(texts), size=min(10_000, len(texts)), replace=False))
    picked = picked[assigned[picked] >= 0]
    vectors = model.vectors([texts[i] for i in picked])
    real = mean_pair_similarity(vectors, assigned[picked], model.size)
    shuffled = rng.permutation(assigned[picked])
    baseline = mean_pair_similarity(vectors, shuffled, model.size)

    print(f"messages                 {len(texts):,}")
    print(f"clusters fitted          {model.size} (reported as topics: {len(topics)})")
    print(f"fit (sample <= 20,000)   {fitted:.2f} s")
    print(f"fit + assign all + label {total:.2f} s  ({len(texts) / total:,.0f} messages/s)")
    print(f"peak resident memory     {peak / 2**20:.0f} MiB")
    print(f"in no topic              {len(texts) - sum(t.size for t in topics):,}")
    print(f"coherence (mean cosine of two posts of a topic)  {real:.3f}")
    print(f"baseline (same sizes, random members)            {baseline:.3f}"
          f"   ratio {real / baseline if baseline else float('inf'):.1f}x")  # fmt: skip
    for topic in topics[:8]:
        print(f"  {topic.size:>7,}  {topic.label}")

    # 4. per-day series: the same assignment with and without sent times
    first = datetime(2026, 9, 1, tzinfo=UTC)
    step = timedelta(days=90) / max(1, len(texts))

    def assign_all(with_times: bool) -> tuple[float, TopicTally]:
        began = time.perf_counter()
        counted = TopicTally(model)
        for start in range(0, len(texts), CHUNK):
            counted.add([
                TopicPost(start + n + 1, 0, text, "en", "negative" if n % 3 else None,
                          first + step * (start + n) if with_times else None)
                for n, text in enumerate(texts[start : start + CHUNK])
            ])  # fmt: skip
        return time.perf_counter() - began, counted

    plain_seconds, _ = assign_all(False)
    timed_seconds, timed = assign_all(True)
    zone = ZoneInfo("Asia/Tehran")
    found = timed.topics()
    began = time.perf_counter()
    starts = day_starts(found, None, None, zone)
    days = [topic_days(topic.slots, starts, zone) for topic in found]
    folded = time.perf_counter() - began
    assert all(
        sum(d.messages for d in series) == t.size for series, t in zip(days, found, strict=True)
    )
    print(f"assign, no sent times    {plain_seconds:.2f} s   (baseline)")
    print(f"assign with sent times   {timed_seconds:.2f} s   "
          f"(+{(timed_seconds / plain_seconds - 1) * 100:.0f}%)")  # fmt: skip
    print(f"fold {len(found)} topics x {len(starts)} days  {folded * 1000:.0f} ms")


if __name__ == "__main__":
    main()
