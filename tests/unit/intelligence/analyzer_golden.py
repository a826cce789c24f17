"""The texts and the recorded readings that pin the default analyzer's answers.

``analyzer_golden.json`` holds what the default analyzer (fast tiers) answered, before the
enrichment was made faster, for: the first tweets of the twcs sample, the first validation
tweets of each xlm-t language (both read from ../shared/data, never copied here: the file
keeps a digest of each text instead), and the edge cases below, written for this test.

    python -m tests.unit.intelligence.analyzer_golden   # record again (only on purpose)
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "analyzer_golden.json"
TWCS = "twcs/twcs_sample.csv"
XLMT = "sentiment/xlmt"
XLMT_LANGUAGES = (
    "arabic",
    "english",
    "french",
    "german",
    "hindi",
    "italian",
    "portuguese",
    "spanish",
)
TWCS_COUNT = 400
XLMT_COUNT = 40

EDGE_CASES = (
    "",
    "   ",
    "\n",
    "a",
    "ok",
    "😀😀😀",
    "@AppleSupport",
    "https://example.com/x?y=1",
    "#refund #help",
    "RT @someone: my parcel never arrived!!! #fail https://t.co/abc",
    "Refund REFUND refund please, order 12345 was charged twice",
    "Subject line about billing\nThe body says the invoice is wrong.",
    "Mein Paket ist nicht angekommen, bitte helfen Sie mir.",
    "Je voudrais annuler mon abonnement, merci.",
    "Quiero cancelar mi pedido ahora mismo",
    "Il mio ordine è arrivato rotto",
    "Meu pedido ainda não chegou, obrigado",
    "یک مشکل با حساب کاربری من وجود دارد، لطفاً کمک کنید",
    "لم يصل طلبي حتى الآن، شكرا",
    "mera order abhi tak nahi aaya yaar",
    "Pakkinn minn kom ekki, takk fyrir",
    "A csomagom nem érkezett meg, köszönöm",
    "don\u2019t charge me again. I can\u2019t believe it",
    "sooooo happy with the new update!!!! 😍😍",
    "worst. service. ever.",
    "x" * 300,
    "123 456 789",
    "Ǆemal ǅ ǆ İstanbul ß ẞ ﬁ",
    "mail me at someone@example.com about the refund",
    "line one\r\nline two\tand a tab",
)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def golden_texts(shared: Path) -> list[str]:
    """The texts, in the recorded order, with ``shared`` the ../shared/data folder."""
    texts: list[str] = []
    with (shared / TWCS).open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row, _ in zip(reader, range(TWCS_COUNT), strict=False):
            texts.append(row[4])
    for language in XLMT_LANGUAGES:
        lines = (shared / XLMT / language / "val_text.txt").read_text("utf-8").splitlines()
        texts.extend(lines[:XLMT_COUNT])
    texts.extend(EDGE_CASES)
    return texts


def readings(texts: list[str]) -> list[list[object]]:
    """What the default analyzer reads in ``texts``, as JSON-ready rows (with each text's
    digest and its language score)."""
    from rapport.intelligence.analyzer import DefaultAnalyzer
    from rapport.intelligence.language import detect_languages

    found = DefaultAnalyzer().analyze(texts)
    guesses = detect_languages(texts)
    return [
        [
            _digest(text),
            r.language,
            guess.score,
            r.sentiment,
            r.sentiment_score,
            r.intent,
            r.intent_score,
            list(r.keywords),
        ]
        for text, r, guess in zip(texts, found, guesses, strict=True)
    ]


def main() -> None:
    shared = Path(__file__).resolve().parents[3].parent / "shared" / "data"
    rows = readings(golden_texts(shared))
    lines = ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
    GOLDEN.write_text(f"[\n{lines}\n]\n", "utf-8")
    print(f"recorded {len(rows)} readings in {GOLDEN}")


if __name__ == "__main__":
    main()
