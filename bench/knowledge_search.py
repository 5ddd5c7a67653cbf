"""Knowledge search latency at scale: builds N synthetic articles (default 50,000: sentences
of the starter articles recombined, plus the starter articles themselves) on a scratch
database and times ``search()`` — what the intake suggestions and the API run — over the
query set, printing p50/p95/max.

    .venv/bin/python bench/knowledge_search.py [--n 50000] [--rounds 3] [--postgres]

Synthetic rows are written in bulk through the services' pure helpers (``index_tokens``,
the FTS mirror), not one service call each; the starter articles go through the importer.
"""

import argparse
import json
import random
import re
import statistics
import time

from _knowledge_db import ROOT, setup, teardown

DATA = ROOT / "gridcare" / "knowledge" / "data"


def build(n: int, seed: int = 7) -> float:
    from django.db import transaction
    from django.utils import timezone

    from gridcare.knowledge.importers import import_knowledge
    from gridcare.knowledge.models import Article, ArticleIndex, Category
    from gridcare.knowledge.sanitize import plain_text
    from gridcare.knowledge.services import _fts_write
    from gridcare.knowledge.text import index_tokens

    t0 = time.perf_counter()
    starter = (DATA / "starter_articles.csv").read_bytes()
    import_knowledge(source=starter, name="starter")
    rng = random.Random(seed)
    sources = list(Article.objects.select_related("published"))
    sentences = [
        s for a in sources for s in re.split(r"(?<=[。；！？])", plain_text(a.published.body)) if len(s) > 6
    ]
    titles = [a.title for a in sources]
    keywords = [a.published.keywords for a in sources]
    category = Category.objects.create(name="合成", path="合成", depth=0)
    now = timezone.now()
    batch = 2000
    for start in range(0, n, batch):
        size = min(batch, n - start)
        with transaction.atomic():
            arts = Article.objects.bulk_create(
                [
                    Article(
                        code=f"SYN-{start + i:06d}",
                        title=f"{rng.choice(titles)}（{start + i}）",
                        category=category,
                    )
                    for i in range(size)
                ]
            )
            rows, fts = [], []
            for a in arts:
                body = "".join(rng.sample(sentences, rng.randint(3, 8)))
                t, k, b = (
                    index_tokens(a.title),
                    index_tokens(rng.choice(keywords).replace(",", " ")),
                    index_tokens(body),
                )
                pub = now - __import__("datetime").timedelta(days=rng.randint(0, 900))
                valid_to = (
                    now.date() - __import__("datetime").timedelta(days=1) if rng.random() < 0.05 else None
                )
                rows.append(
                    ArticleIndex(
                        article=a,
                        title_tokens=t,
                        keyword_tokens=k,
                        body_tokens=b,
                        published_at=pub,
                        valid_to=valid_to,
                    )
                )
                fts.append((a.pk, t, k, b))
            ArticleIndex.objects.bulk_create(rows)
            _fts_write(fts)
            # the synthetic articles count as published (search only reads the index rows)
            Article.objects.filter(pk__in=[a.pk for a in arts]).update(published_at=now)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=50000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    connection, old = setup(args.postgres)
    try:
        from gridcare.knowledge.search import search

        built = build(args.n)
        queries = [
            json.loads(x)["q"]
            for x in (DATA / "eval_queries.jsonl").read_text(encoding="utf-8").splitlines()
            if x.strip()
        ]
        queries += [
            "电",
            "停电了",
            "我家从昨天晚上开始就一直没有电，邻居家好像也没电，是不是线路出问题了，什么时候能修好" * 3,
        ]
        for q in queries[:5]:
            search(q, limit=5)  # warm-up (jieba, caches)
        times = []
        for _ in range(args.rounds):
            for q in queries:
                t = time.perf_counter()
                search(q, limit=5)
                times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p = lambda f: times[min(len(times) - 1, int(f * len(times)))]  # noqa: E731
        print(
            f"{connection.vendor}: {args.n:,} synthetic + starter articles (built in {built:.0f}s); "
            f"{len(times)} searches: p50 {p(0.5):.1f} ms, p95 {p(0.95):.1f} ms, max {times[-1]:.1f} ms, "
            f"mean {statistics.mean(times):.1f} ms"
        )
    finally:
        teardown(connection, old)


if __name__ == "__main__":
    main()
