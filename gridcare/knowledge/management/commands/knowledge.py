"""`gridcare knowledge search "QUERY" [--limit N] [--format json|text]`: search the knowledge
base as agents do (published articles valid today, best first). ``json`` prints a list of
objects with ``code, title, score, kind, category, valid_to``.

`gridcare knowledge reindex`: rebuild the search index from the published versions (after
a change of the domain dictionary or the synonym list).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from gridcare.knowledge.search import LIMIT_MAX


class Command(BaseCommand):
    help = "知识库检索与索引重建 / knowledge base: search, reindex"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        search = sub.add_parser("search", help="search the knowledge base")
        search.add_argument("query")
        search.add_argument("--limit", type=int, default=10, help=f"1–{LIMIT_MAX} (default 10)")
        search.add_argument("--format", choices=["json", "text"], default="text")
        sub.add_parser("reindex", help="rebuild the search index")

    def handle(self, *args, action, **options):
        if action == "reindex":
            from gridcare.knowledge.services import index_rebuild

            self.stdout.write(f"reindexed {index_rebuild()} articles")
            return
        from gridcare.knowledge.search import search
        from gridcare.knowledge.services import search_log

        limit = options["limit"]
        if not 1 <= limit <= LIMIT_MAX:
            raise CommandError(f"--limit must be between 1 and {LIMIT_MAX}")
        query = options["query"]
        if len(query) > 2000:
            raise CommandError("the query is longer than 2,000 characters")
        hits = search(query, limit=limit)
        search_log(actor=None, query=query, source="cli", hits=hits)
        if options["format"] == "json":
            self.stdout.write(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=1))
        else:
            for h in hits:
                self.stdout.write(f"{h.score:8.3f}  {h.code:<10} {h.title}")
