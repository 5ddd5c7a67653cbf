"""Chinese search over the published, valid articles — one function, both databases.

The database finds candidates through its full-text index over the jieba tokens (SQLite:
the FTS5 table ``knowledge_fts``; PostgreSQL: the ``document`` tsvector with the
``simple`` configuration), every query term and its synonyms matched as a token prefix
(so one- and two-character terms and words segmented differently still match — SQLite
3.40's trigram tokenizer would return nothing under three characters, which is why the
index holds jieba tokens). Up to ``CANDIDATES`` of them (``_candidates``: articles with
every term in the title or keywords first) are then scored here by one formula, the same
on both databases:

    score = Σ_terms idf(term) · best field weight it hits (title 3 > keywords 2 > body 1;
            a prefix hit 0.6 of an exact one, all the sub-words of a compound term 0.9,
            a synonym 0.8 of the term itself)
            · (0.5 + 0.5 · share of the query's terms found)
            · (1 + 0.1 · freshness)            freshness: 1 just published … 0 after 2 years

Expired articles and articles not yet valid never come back.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from bisect import bisect_left
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from .text import expand, query_terms, subwords

CANDIDATES = 200
LIMIT_MAX = 50
FIELD_WEIGHTS = (3.0, 2.0, 1.0)  # title, keywords, body
PREFIX_FACTOR = 0.6
SYNONYM_FACTOR = 0.8
SUBWORDS_FACTOR = 0.9
FRESH_DAYS = 730


@dataclass
class Hit:
    article_id: int
    score: float
    code: str = ""
    title: str = ""
    kind: str = ""
    category: str = ""
    valid_to: dt.date | None = None

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "title": self.title,
            "score": self.score,
            "kind": self.kind,
            "category": self.category,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }


def _fts5_quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"*'


def _tsquery_quote(token: str) -> str:
    return "'" + token.replace("'", "''").replace("\\", "\\\\") + "':*"


COLUMNS = "i.article_id, i.title_tokens, i.keyword_tokens, i.body_tokens, i.regions, i.published_at"
VALID = "(i.valid_from IS NULL OR i.valid_from <= %s) AND (i.valid_to IS NULL OR i.valid_to >= %s)"


def _candidates(groups: list[list[str]], today: dt.date) -> list[tuple]:
    """(article_id, title_tokens, keyword_tokens, body_tokens, regions, published_at) of up
    to ``CANDIDATES`` valid articles matching the query, gathered in three passes that keep
    a keystroke cheap at 50,000 articles (no ranking in the database — the formula ranks):

    1. every term (one of its alternatives) in the title or keywords — the best answers;
    2. any term in the title or keywords;
    3. any term in the body;

    each pass newest first, filling the room the passes before it left. ``groups``: per
    query term, the alternatives that match it (prefixes). Whenever all the matches fit
    (every test corpus), both databases hand back the same set."""
    rows: list[tuple] = []
    seen: set[int] = set()
    pg = connection.vendor == "postgresql"
    if pg:
        any_q = " | ".join(_tsquery_quote(a) for g in groups for a in g)
        all_q = " & ".join("(" + " | ".join(_tsquery_quote(a) for a in g) + ")" for g in groups)
        passes = [("head", all_q), ("head", any_q), ("document", any_q)]
    else:
        any_q = " OR ".join(_fts5_quote(a) for g in groups for a in g)
        all_q = " AND ".join("(" + " OR ".join(_fts5_quote(a) for a in g) + ")" for g in groups)
        passes = [("{title keywords} : ", all_q), ("{title keywords} : ", any_q), ("{body} : ", any_q)]
    if len(groups) == 1:
        passes = passes[1:]
    with connection.cursor() as cur:
        for column, q in passes:
            room = CANDIDATES - len(rows)
            if room <= 0:
                break
            if pg:
                cur.execute(
                    f"SELECT {COLUMNS} FROM knowledge_articleindex i WHERE i.{column} @@ to_tsquery('simple', %s) "
                    f"AND {VALID} ORDER BY i.article_id DESC LIMIT %s",
                    [q, today, today, room + len(seen)],
                )
            else:
                cur.execute(
                    f"SELECT {COLUMNS} FROM knowledge_fts f JOIN knowledge_articleindex i ON i.article_id = f.rowid "
                    f"WHERE knowledge_fts MATCH %s AND {VALID} ORDER BY f.rowid DESC LIMIT %s",
                    [column + "(" + q + ")", today, today, room + len(seen)],
                )
            fresh = [r for r in cur.fetchall() if r[0] not in seen][:room]
            rows += fresh
            seen.update(r[0] for r in fresh)
    return rows


def _covering(words) -> list[str]:
    """The alternatives the database must match: each matches as a prefix, so a word that
    begins with another one already there adds nothing (电费 covers 电费单)."""
    out: list[str] = []
    for w in sorted(set(words), key=lambda x: (len(x), x)):
        if not any(w.startswith(o) for o in out):
            out.append(w)
    return out


def _index_size() -> int:
    """About how many articles the index holds (the highest id: one index probe, where a
    count would scan 50,000 rows on every keystroke)."""
    with connection.cursor() as cur:
        cur.execute("SELECT MAX(article_id) FROM knowledge_articleindex")
        return cur.fetchone()[0] or 0


def _field_hit(alt: str, exact: set[str], tokens: list[str]) -> float:
    """1 for the token itself, ``PREFIX_FACTOR`` for a token it begins (``tokens`` sorted)."""
    if alt in exact:
        return 1.0
    i = bisect_left(tokens, alt)
    if i < len(tokens) and tokens[i].startswith(alt):
        return PREFIX_FACTOR
    return 0.0


def score_rows(
    terms: list[str], rows: list[tuple], *, total: int, now: dt.datetime
) -> list[tuple[float, int]]:
    """The ranking formula (module docstring) over candidate rows: [(score, article_id)], best first."""
    docs = []
    for row in rows:
        fields = [set((row[k] or "").split()) for k in (1, 2, 3)]
        docs.append((row[0], [(f, sorted(f)) for f in fields], row[5]))
    alts = {t: [(t, 1.0)] + [(s, SYNONYM_FACTOR) for s in expand(t)] for t in terms}
    parts = {alt: subwords(alt) for t in terms for alt, _f in alts[t]}
    # Per (term, doc): the best weight the term (or a synonym) reaches in that doc.
    hits: dict[str, dict[int, float]] = {}
    for term in terms:
        per_doc: dict[int, float] = {}
        for article_id, fields, _published in docs:
            best = 0.0
            for alt, factor in alts[term]:
                for weight, (exact, tokens) in zip(FIELD_WEIGHTS, fields, strict=True):
                    if weight * factor <= best:
                        continue
                    h = _field_hit(alt, exact, tokens)
                    if not h and parts[alt] and all(p in exact for p in parts[alt]):
                        h = SUBWORDS_FACTOR
                    if h:
                        best = max(best, weight * factor * h)
            if best:
                per_doc[article_id] = best
        hits[term] = per_doc
    out = []
    n = max(total, len(docs), 1)
    idf = {t: math.log(1.0 + n / max(len(hits[t]), 1)) for t in terms}
    for article_id, _fields, published in docs:
        found = [t for t in terms if article_id in hits[t]]
        if not found:
            continue
        raw = sum(idf[t] * hits[t][article_id] for t in found)
        coverage = len(found) / len(terms)
        fresh = 0.0
        if published is not None:
            if isinstance(published, str):  # SQLite hands back text
                published = dt.datetime.fromisoformat(published)
            if timezone.is_naive(published):
                published = timezone.make_aware(published, dt.UTC)
            age = max((now - published).days, 0)
            fresh = max(0.0, 1.0 - age / FRESH_DAYS)
        score = raw * (0.5 + 0.5 * coverage) * (1 + 0.1 * fresh)
        out.append((round(score, 4), article_id))
    out.sort(key=lambda s: (-s[0], s[1]))
    return out


def _applies(regions: str, unit_codes: frozenset[str] | None) -> bool:
    if not regions or unit_codes is None:
        return True
    return bool(set(regions.split(",")) & unit_codes)


# The names an editor writes in an article's "applicable customer categories" (free words,
# 居民、非居民、大客户…) that cover each customer category code; the code itself counts too.
CATEGORY_WORDS: dict[str, frozenset[str]] = {
    "residential": frozenset({"居民", "居民客户", "住宅", "residential"}),
    "lv_non_residential": frozenset({"非居民", "低压非居民", "低压", "工商业", "一般工商业"}),
    "hv_single": frozenset({"非居民", "高压", "高压单电源", "大客户", "大工业", "工商业"}),
    "hv_dual": frozenset({"非居民", "高压", "高压双电源", "大客户", "大工业", "工商业", "重要客户"}),
}


def category_applies(words: str, category: str) -> bool:
    """Whether an article for customer categories ``words`` (blank: all) applies to a
    customer of ``category`` (blank: unknown — everything applies)."""
    if not words.strip() or not category:
        return True
    given = {w for w in re.split(r"[\s,，、;；/]+", words) if w}
    return bool(given & (CATEGORY_WORDS.get(category, frozenset()) | {category}))


def _categories_of(article_ids: list[int]) -> dict[int, str]:
    from .models import Article

    return dict(
        Article.objects.filter(pk__in=article_ids, published__isnull=False).values_list(
            "pk", "published__customer_categories"
        )
    )


def search(
    query: str | None,
    *,
    limit: int = 10,
    now: dt.datetime | None = None,
    unit_codes: frozenset[str] | None = None,
    customer_category: str = "",
) -> list[Hit]:
    """The published articles valid today that answer ``query``, best first (at most
    ``limit``, bounded by ``LIMIT_MAX``). ``unit_codes``: the searcher's unit and the units
    above it — an article for named regions only comes back inside them (None: no filter).
    ``customer_category``: the caller's category (a customer at the intake desk) — an article
    for other categories only does not come back (``category_applies``).
    An empty query, or one of a single character, finds nothing (too broad to rank)."""
    from .models import Article

    now = now or timezone.now()
    terms = query_terms(query)
    if not terms or sum(len(t) for t in terms) < 2:
        return []
    limit = max(1, min(int(limit), LIMIT_MAX))
    groups = [_covering(a for s in (t, *expand(t)) for a in (s, *subwords(s))) for t in terms]
    rows = _candidates(groups, timezone.localdate(now))
    if not rows:
        return []
    rows = [r for r in rows if _applies(r[4], unit_codes)]
    if customer_category and rows:
        words = _categories_of([r[0] for r in rows])
        rows = [r for r in rows if category_applies(words.get(r[0], ""), customer_category)]
    ranked = score_rows(terms, rows, total=_index_size(), now=now)[:limit]
    articles = {
        a.pk: a for a in Article.objects.filter(pk__in=[pk for _s, pk in ranked]).select_related("category")
    }
    out = []
    for score, pk in ranked:
        a = articles.get(pk)
        if a is not None:
            out.append(Hit(pk, score, a.code, a.title, a.kind, a.category.path, a.valid_to))
    return out
