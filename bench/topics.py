"""Topic clustering bench: recovery of a planted mixture, and the time a page's clustering takes.

    .venv/bin/python bench/topics.py [--seeds 5] [--n 4000] [--demo]

* **Planted mixtures** (the generator of ``gridcare/analytics/tests/test_topics.py``: six
  topics with their own phrases, shared boilerplate and noise words, unbalanced sizes), one
  per seed: adjusted Rand index against the truth, how many planted topics have a cluster of
  their own holding ≥ 85 % of them, the largest cluster's share, and how many topics are
  labelled with their own topic's phrases.
* **Timing**: ``cluster_topics`` on ``--n`` texts (a planted mixture of that size).
* ``--demo``: on the database the settings point at (``GRIDCARE_DATA_DIR=/tmp/dt`` after
  ``manage.py demo``): the latest 4,000 consultations and complaints — time, number of topics,
  largest share, and each topic's share, label and first example.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def planted_report(seeds: int) -> None:
    from sklearn.metrics import adjusted_rand_score

    from gridcare.analytics.tests.test_topics import PLANTED, planted_mixture
    from gridcare.analytics.topics import cluster_labels, cluster_topics

    print("seed   texts    ARI  own-cluster  largest  labelled   time")
    aris = []
    for seed in range(seeds):
        texts, truth = planted_mixture(seed=100 + seed)
        t0 = time.perf_counter()
        labels = cluster_labels(texts)
        topics = cluster_topics(texts)
        elapsed = time.perf_counter() - t0
        ari = adjusted_rand_score(truth, labels)
        aris.append(ari)
        owned = set()
        for topic in PLANTED:
            got = Counter(int(lab) for lab, t in zip(labels, truth, strict=True) if t == topic)
            cluster, n = got.most_common(1)[0]
            if cluster >= 0 and n >= 0.85 * truth.count(topic):
                owned.add(cluster)
        labelled = sum(
            1
            for t in topics
            if t["keywords"]
            and sum(1 for phrases in PLANTED.values() if t["keywords"][0] in "".join(phrases)) == 1
        )
        largest = max(t["share"] for t in topics)
        print(
            f"{seed:4d} {len(texts):7d} {ari:6.3f} {len(owned):6d}/{len(PLANTED)} {largest:8.1%}"
            f" {labelled:5d}/{len(topics):<3d} {elapsed:6.2f}s"
        )
    print(f"mean ARI {sum(aris) / len(aris):.3f}, min {min(aris):.3f}")


def timing(n: int) -> None:
    from gridcare.analytics.tests.test_topics import SIZES, planted_mixture
    from gridcare.analytics.topics import cluster_topics

    total = sum(SIZES.values())
    texts, _truth = planted_mixture(seed=1, sizes={k: v * n // total for k, v in SIZES.items()})
    cluster_topics(texts[:50])  # jieba's dictionary loads once per process
    t0 = time.perf_counter()
    topics = cluster_topics(texts)
    print(f"cluster_topics on {len(texts)} texts: {time.perf_counter() - t0:.2f}s, {len(topics)} topics")


def demo() -> None:
    from gridcare.analytics.topics import MAX_TOPIC_TEXTS, cluster_topics
    from gridcare.workorders.models import WorkOrder

    for kind in ("consultation", "complaint"):
        texts = list(
            WorkOrder.objects.filter(request_type=kind)
            .order_by("-created_at")
            .values_list("description", flat=True)[:MAX_TOPIC_TEXTS]
        )
        t0 = time.perf_counter()
        topics = cluster_topics(texts)
        elapsed = time.perf_counter() - t0
        if not topics:
            print(f"{kind}: no texts")
            continue
        print(
            f"{kind}: {len(texts)} texts, {elapsed:.2f}s, {len(topics)} topics, "
            f"largest {max(t['share'] for t in topics):.1%}"
        )
        for t in topics:
            example = t["examples"][0][:50] if t["examples"] else ""
            print(f"  {t['share']:6.1%} {t['label']:<16} | {'、'.join(t['keywords'])} | {example}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--demo", action="store_true")
    args = parser.parse_args()
    import django

    django.setup()
    planted_report(args.seeds)
    timing(args.n)
    if args.demo:
        demo()


if __name__ == "__main__":
    main()
