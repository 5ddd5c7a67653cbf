"""Knowledge search quality: recall@3 and MRR of the query set
(gridcare/knowledge/data/eval_queries.jsonl, written separately from the articles) over the
starter knowledge base, on a scratch database.

    .venv/bin/python bench/knowledge_eval.py [--postgres] [--misses]

A query counts as found at rank r when any of its expected codes is the r-th hit.
"""

import argparse
import json
import time

from _knowledge_db import ROOT, setup, teardown

QUERIES = ROOT / "gridcare" / "knowledge" / "data" / "eval_queries.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--misses", action="store_true", help="list the queries not found in the top 3")
    args = parser.parse_args()
    connection, old = setup(args.postgres)
    try:
        from gridcare.knowledge.importers import import_knowledge
        from gridcare.knowledge.search import search

        starter = ROOT / "gridcare" / "knowledge" / "data" / "starter_articles.csv"
        report = import_knowledge(source=starter.read_bytes(), name=starter.name)
        queries = [
            json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
        found3 = 0
        rr = 0.0
        misses = []
        t0 = time.perf_counter()
        for item in queries:
            codes = [h.code for h in search(item["q"], limit=10)]
            rank = next((i + 1 for i, c in enumerate(codes) if c in item["expected"]), None)
            if rank is not None:
                rr += 1.0 / rank
            if rank is not None and rank <= 3:
                found3 += 1
            else:
                misses.append((item["q"], item["expected"], codes[:3]))
        elapsed = time.perf_counter() - t0
        n = len(queries)
        print(f"{connection.vendor}: {report.created} articles, {n} queries")
        print(
            f"recall@3 = {found3 / n:.3f} ({found3}/{n})   MRR@10 = {rr / n:.3f}   {elapsed / n * 1000:.1f} ms/query"
        )
        if args.misses:
            for q, exp, got in misses:
                print(f"  miss: {q}  expected {exp}  got {got}")
    finally:
        teardown(connection, old)


if __name__ == "__main__":
    main()
