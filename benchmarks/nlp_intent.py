"""Intent benchmark (issue 4): custom models on banking77, the default taxonomy on 10 languages.

Prints, measured in one run on this machine:
1. banking77 (``../shared/data/intent/banking77/train.csv``, 77 intents): a stratified,
   seeded 20% held out; Rapport's custom model (TF-IDF word and character n-grams, linear
   SVM) trained on the rest: held-out accuracy and macro-F1, training time, prediction
   texts/s; and in the same run the baselines: the majority class, and plain TF-IDF word
   n-grams with logistic regression. ``--seeds`` repeats Rapport's model on other splits.
2. the default customer-care taxonomy on the hand-written evaluation set
   (``tests/unit/intelligence/fixtures/intent_eval.csv``: 110 messages, 11 intents, 10
   languages, no sentence shared with the prototypes): accuracy and macro-F1, accuracy per
   language, texts/s (after the prototypes are embedded), against the majority class.

Target: banking77 held-out accuracy ≥ 0.90, training < 5 minutes.

    .venv/bin/python benchmarks/nlp_intent.py [--seeds 42,1,2,3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVAL_SET = ROOT / "tests" / "unit" / "intelligence" / "fixtures" / "intent_eval.csv"


def _data_dir() -> Path:
    return Path(os.environ.get("RAPPORT_DATA_DIR", ROOT.parent / "shared" / "data"))


def banking77(seeds: list[int]) -> dict[str, Any]:
    """Rapport's custom model and two baselines on banking77's held-out part."""
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    from rapport.intelligence.intent.custom import fit_intent_model, score_predictions
    from rapport.intelligence.intent.labelled import read_labelled_csv

    path = _data_dir() / "intent" / "banking77" / "train.csv"
    if not path.exists():
        return {"skipped": f"{path} is absent"}
    data = read_labelled_csv(path, "text", "category")
    figures: dict[str, Any] = {"messages": len(data.texts), "intents": len(set(data.labels))}
    runs = []
    for seed in seeds:
        train_x, test_x, train_y, test_y = train_test_split(
            data.texts, data.labels, test_size=0.2, stratify=data.labels, random_state=seed
        )
        started = time.perf_counter()
        model = fit_intent_model(train_x, train_y)
        training = time.perf_counter() - started
        started = time.perf_counter()
        predicted = model.predict(test_x)
        predicting = time.perf_counter() - started
        started = time.perf_counter()
        model.classify(test_x)
        with_scores = time.perf_counter() - started
        score = score_predictions(test_y, predicted)
        runs.append(
            {
                "seed": seed,
                "accuracy": round(score.accuracy, 4),
                "macro_f1": round(score.macro_f1, 4),
                "held_out": score.examples,
                "training_s": round(training, 1),
                "predict_texts_per_s": round(len(test_x) / predicting),
                "classify_with_scores_texts_per_s": round(len(test_x) / with_scores),
            }
        )
        if seed == seeds[0]:
            majority = Counter(train_y).most_common(1)[0][0]
            base = score_predictions(test_y, [majority] * len(test_y))
            figures["baseline_majority"] = {
                "accuracy": round(base.accuracy, 4),
                "macro_f1": round(base.macro_f1, 4),
            }
            started = time.perf_counter()
            words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
            features: csr_matrix = words.fit_transform(train_x)
            regression = LogisticRegression(C=10, max_iter=300).fit(features, train_y)
            base_training = time.perf_counter() - started
            base = score_predictions(test_y, list(regression.predict(words.transform(test_x))))
            figures["baseline_tfidf_words_logreg"] = {
                "accuracy": round(base.accuracy, 4),
                "macro_f1": round(base.macro_f1, 4),
                "training_s": round(base_training, 1),
            }
    figures["rapport"] = runs
    if len(runs) > 1:
        figures["rapport_mean_accuracy"] = round(sum(r["accuracy"] for r in runs) / len(runs), 4)
    return figures


def default_taxonomy() -> dict[str, Any]:
    """The default intents on the hand-written multilingual evaluation set."""
    from rapport.intelligence.intent import classify_intents
    from rapport.intelligence.intent.evaluation import evaluate_intent_model
    from rapport.intelligence.intent.labelled import read_labelled_csv
    from rapport.intelligence.intent.taxonomy import DefaultIntentModel

    data = read_labelled_csv(EVAL_SET, "text", "intent")
    model = DefaultIntentModel()
    started = time.perf_counter()
    classify_intents(["warm-up"], model)  # embeds the prototypes once
    warm_up = time.perf_counter() - started
    report = evaluate_intent_model(model, data.texts, data.labels, data.languages)
    majority = Counter(data.labels).most_common(1)[0][1] / len(data.labels)
    return {
        "messages": report.examples,
        "accuracy": round(report.accuracy, 4),
        "macro_f1": round(report.macro_f1, 4),
        "texts_per_s": round(report.texts_per_second, 1),
        "prototype_warm_up_s": round(warm_up, 1),
        "per_language_accuracy": {
            language: round(accuracy, 3) for language, (_, accuracy) in report.per_language.items()
        },
        "baseline_majority_accuracy": round(majority, 4),
    }


def run(seeds: list[int] | None = None) -> dict[str, Any]:
    """Every intent figure, as a dict (``benchmarks/nlp.py`` calls this)."""
    return {
        "banking77": banking77(seeds or [42]),
        "default_taxonomy": default_taxonomy(),
    }


def _print(figures: dict[str, Any]) -> None:
    bank = figures["banking77"]
    print("intent: banking77 custom model (20% held out, stratified)")
    if "skipped" in bank:
        print(f"  skipped: {bank['skipped']}")
    else:
        for r in bank["rapport"]:
            print(
                f"  rapport seed {r['seed']}: accuracy {r['accuracy']:.4f}  macro-F1 "
                f"{r['macro_f1']:.4f}  training {r['training_s']:.1f} s  "
                f"{r['predict_texts_per_s']} texts/s ({r['classify_with_scores_texts_per_s']} "
                "with scores)"
            )
        if "rapport_mean_accuracy" in bank:
            print(f"  rapport mean accuracy over seeds: {bank['rapport_mean_accuracy']:.4f}")
        lr = bank["baseline_tfidf_words_logreg"]
        print(
            f"  baseline TF-IDF words + logistic regression: accuracy {lr['accuracy']:.4f}  "
            f"macro-F1 {lr['macro_f1']:.4f}  training {lr['training_s']:.1f} s"
        )
        print(f"  baseline majority class: accuracy {bank['baseline_majority']['accuracy']:.4f}")
    tax = figures["default_taxonomy"]
    print(f"intent: default taxonomy on {tax['messages']} hand-written messages, 10 languages")
    print(
        f"  accuracy {tax['accuracy']:.4f}  macro-F1 {tax['macro_f1']:.4f}  "
        f"{tax['texts_per_s']} texts/s  (majority class {tax['baseline_majority_accuracy']:.4f})"
    )
    print(
        "  per language: "
        + "  ".join(f"{k} {v:.2f}" for k, v in tax["per_language_accuracy"].items())
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="42", help="Comma-separated split seeds.")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    arguments = parser.parse_args()
    result = run([int(seed) for seed in arguments.seeds.split(",")])
    if arguments.json:
        print(json.dumps(result, indent=2))
    else:
        _print(result)
