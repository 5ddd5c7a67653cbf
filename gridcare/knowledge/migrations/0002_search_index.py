"""The full-text side of the search index, per database:

- SQLite: an FTS5 table ``knowledge_fts(title, keywords, body)`` over the jieba tokens
  (``unicode61`` tokenizer: tokens are space-separated; rowid = article id), written by
  the services beside ``knowledge_articleindex``. (The trigram tokenizer would not do:
  SQLite 3.40 answers nothing for patterns under three characters.)
- PostgreSQL: generated tsvector columns on ``knowledge_articleindex`` with the ``simple``
  configuration and GIN indexes: ``document`` (title weighted A, keywords B, body C) and
  ``head`` (title and keywords only).
"""

from django.db import migrations

SQLITE_UP = [
    # prefix='1 2 3': the prefix queries of short terms read an index instead of scanning terms
    "CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_fts USING fts5("
    "title, keywords, body, tokenize='unicode61', prefix='1 2 3')",
    # ``rank`` is the field-weighted BM25 (title 3, keywords 2, body 1)
    "INSERT INTO knowledge_fts(knowledge_fts, rank) VALUES ('rank', 'bm25(3.0, 2.0, 1.0)')",
]
SQLITE_DOWN = "DROP TABLE IF EXISTS knowledge_fts"
PG_UP = [
    "ALTER TABLE knowledge_articleindex ADD COLUMN document tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, coalesce(title_tokens, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(keyword_tokens, '')), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(body_tokens, '')), 'C')) STORED",
    "CREATE INDEX knowledge_articleindex_document ON knowledge_articleindex USING gin (document)",
    # title and keywords alone: the first, ranked pass of a search reads these small vectors
    "ALTER TABLE knowledge_articleindex ADD COLUMN head tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, coalesce(title_tokens, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(keyword_tokens, '')), 'B')) STORED",
    "CREATE INDEX knowledge_articleindex_head ON knowledge_articleindex USING gin (head)",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS knowledge_articleindex_head",
    "ALTER TABLE knowledge_articleindex DROP COLUMN IF EXISTS head",
    "DROP INDEX IF EXISTS knowledge_articleindex_document",
    "ALTER TABLE knowledge_articleindex DROP COLUMN IF EXISTS document",
]


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for sql in SQLITE_UP:
            schema_editor.execute(sql)
    elif vendor == "postgresql":
        for sql in PG_UP:
            schema_editor.execute(sql)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)
    elif vendor == "postgresql":
        for sql in PG_DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
