"""Helpers for knowledge tests: the starter knowledge base loaded through the importer, and
one article made through the services."""

from __future__ import annotations

from pathlib import Path

from gridcare.knowledge.importers import import_knowledge
from gridcare.knowledge.services import article_create, article_data

STARTER = Path(__file__).resolve().parent.parent / "data" / "starter_articles.csv"
HEADER = "code,title,category,body,keywords,valid_from,valid_to\n"


def load_starter():
    return import_knowledge(source=STARTER.read_bytes(), name=STARTER.name)


def make_article(code="TEST-1", *, actor=None, publish=True, **fields):
    fields.setdefault("title", "测试条目")
    fields.setdefault("body", "这是测试正文。")
    fields.setdefault("category", "测试/分类")
    return article_create(actor=actor, code=code, data=article_data(**fields), publish=publish)


def csv_bytes(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8")
