"""Classifier bench: single-core throughput on 20,000 texts, then the evaluation figures.

    .venv/bin/python bench/classify.py [--n 20000] [--batch 1000] [--no-eval]

Texts are drawn (with repetition) from the seed corpus and the held-out set, so the mix
of short messages and long letters is realistic. Thread pools are pinned to one thread
before numpy/scipy load so the figure is a one-core figure. Start-up (imports, loading
the model, jieba's dictionary) is timed separately and excluded from texts/s.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--no-eval", action="store_true")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        except OSError:
            pass

    t0 = time.perf_counter()
    import django

    django.setup()
    from gridcare.analytics.classifier import heldout_corpus, seed_corpus, shipped_model
    from gridcare.analytics.classifier.evaluation import format_metrics
    from gridcare.analytics.classifier.registry import classify_texts

    model = shipped_model()
    classify_texts(["启动预热：家里停电了"], model=model)
    startup = time.perf_counter() - t0

    pool = [r.text for r in seed_corpus()] + [r.text for r in heldout_corpus()]
    rng = random.Random(0)
    texts = [rng.choice(pool) for _ in range(args.n)]
    mean_len = sum(map(len, texts)) / len(texts)

    t1, c1 = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), args.batch):
        classify_texts(texts[i : i + args.batch], model=model)
    elapsed, cpu = time.perf_counter() - t1, time.process_time() - c1
    print(f"model {model.version}: {model.metadata.get('n_features')} features, start-up {startup:.2f}s")
    print(
        f"{args.n} texts (mean {mean_len:.0f} chars), batches of {args.batch}, one core: "
        f"{elapsed:.2f}s wall = {args.n / elapsed:,.0f} texts/s "
        f"({cpu:.2f}s CPU = {args.n / cpu:,.0f} texts/s; the two differ when the machine is busy)"
    )
    if hasattr(os, "getloadavg"):
        print(f"load average after the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    if not args.no_eval:
        metrics = model.metadata.get("metrics", {})
        for name, title in (
            ("split", "stratified 20% split of the seed corpus (trained on the other 80%)"),
            ("heldout", "held-out evaluation set (written separately, never trained on)"),
        ):
            if metrics.get(name):
                print(format_metrics(title, metrics[name]))
        if model.metadata.get("contrast"):
            from gridcare.analytics.classifier.evaluation import format_contrast

            print(
                format_contrast(
                    "minimal pairs (bench/classify_contrast.py for before/after)", model.metadata["contrast"]
                )
            )


if __name__ == "__main__":
    main()
