"""Classifier robustness bench: minimal pairs (polarity, negation, intent, sarcasm) and
the held-out macro-F1, for the shipped model and the previous one (before/after).

    .venv/bin/python bench/classify_contrast.py [--errors] [--retrain]

- minimal-pair accuracy on ``gridcare/analytics/data/contrast_pairs.jsonl`` (written
  apart from the training data, never trained on): a pair counts when both texts get
  the right request type (and, second figure, both labels right); per-text accuracy;
  figures per phenomenon;
- macro-F1 per head on ``heldout_eval.jsonl``;
- the two texts of issue 19 ("营业厅工作人员态度很差", "抄表员态度很差，说话很冲").

``--retrain`` also trains a model from the current seed corpus and code (about 10 s) and
reports it as a third column: what ``classifier build-seed`` would ship.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

ISSUE_EXAMPLES = ["营业厅工作人员态度很差", "抄表员态度很差，说话很冲"]


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true", help="list the texts whose request type is wrong")
    parser.add_argument("--retrain", action="store_true", help="also train from the current corpus and code")
    args = parser.parse_args()

    import django

    django.setup()
    from gridcare.analytics.classifier import TextClassifier, heldout_corpus, seed_corpus, shipped_model
    from gridcare.analytics.classifier.corpus import PREVIOUS_SHIPPED_MODEL, contrast_pairs
    from gridcare.analytics.classifier.evaluation import contrast_metrics, evaluate, format_contrast

    models = []
    if PREVIOUS_SHIPPED_MODEL.exists():
        models.append(("before: " + PREVIOUS_SHIPPED_MODEL.stem, TextClassifier.load(PREVIOUS_SHIPPED_MODEL)))
    models.append(("after: " + shipped_model().version + " (shipped)", shipped_model()))
    if args.retrain:
        rows = seed_corpus()
        models.append(
            (
                "retrained now from the seed corpus",
                TextClassifier.train(
                    [r.text for r in rows], [r.request_type for r in rows], [r.dimension for r in rows]
                ),
            )
        )
    pairs, heldout = contrast_pairs(), heldout_corpus()
    summary = []
    for name, model in models:
        c = contrast_metrics(model, pairs)
        h = evaluate(model, heldout)
        print(format_contrast(f"minimal pairs, {name}", c))
        print(
            f"held-out ({h['request_type']['n']} texts): macro-F1 request type "
            f"{h['request_type']['macro_f1']:.3f}, dimension {h['dimension']['macro_f1']:.3f}"
        )
        for p, text in zip(model.predict(ISSUE_EXAMPLES), ISSUE_EXAMPLES, strict=True):
            print(f"  {text} → {p.request_type} ({p.request_type_probability:.2f}), {p.dimension}")
        if args.errors:
            for e in c["errors"]:
                print(f"  wrong {e['pair']}: {e['text']}  expected {e['expected']}, got {e['got']}")
        print()
        summary.append((name, c, h))
    print(
        f"{'model':<40}{'pairs type':>11}{'pairs both':>11}{'text type':>10}{'text dim':>9}{'held-out F1 t/d':>17}"
    )
    for name, c, h in summary:
        print(
            f"{name:<40}{c['pairs_type']:>11.3f}{c['pairs_both']:>11.3f}{c['texts_type']:>10.3f}"
            f"{c['texts_dimension']:>9.3f}{h['request_type']['macro_f1']:>9.3f}/{h['dimension']['macro_f1']:.3f}"
        )


if __name__ == "__main__":
    main()
