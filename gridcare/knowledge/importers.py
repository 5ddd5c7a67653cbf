"""`gridcare import knowledge FILE`: articles by ``code`` (CSV or Excel).

Columns exactly ``code, title, category, body, keywords, valid_from, valid_to``
(``category``: the path in the tree, levels joined by ``/``; ``body``: text or HTML,
sanitised; dates ``YYYY-MM-DD`` or empty). A new code is a new article; a known code gets
a new version when its content changed. Every row is checked first: one bad row and
nothing is written, with every error named by row and column.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcare.core.errors import ApplicationError
from gridcare.core.tabular import ImportFailed, ImportReport, check_headers, read_table, register_importer

from .choices import ArticleKind
from .models import Article
from .services import ArticleData, article_data, check_code, knowledge_import

COLUMNS = ["code", "title", "category", "body", "keywords", "valid_from", "valid_to"]
# A new article's kind follows its category's first level (政策通知 / 服务话术); an
# existing article keeps its kind.
KIND_BY_ROOT = {"政策通知": ArticleKind.POLICY, "服务话术": ArticleKind.SCRIPT}


def parse_rows(table, report: ImportReport) -> list[tuple[int, str, ArticleData]]:
    idx = {c: table.headers.index(c) for c in COLUMNS}
    rows: list[tuple[int, str, ArticleData]] = []
    seen: dict[str, int] = {}
    table_rows = list(table.rows)
    codes = [c.strip().upper() for _r, cells in table_rows for c in cells[idx["code"] : idx["code"] + 1]]
    kinds = dict(Article.objects.filter(code__in=codes).values_list("code", "kind"))
    for rowno, cells in table_rows:
        report.rows += 1
        if len(cells) != len(table.headers):
            report.add_error(rowno, "*", len(cells), _("列数不符：应为 %(n)s 列") % {"n": len(table.headers)})
            continue
        cell = {c: cells[i] for c, i in idx.items()}
        try:
            code = check_code(cell["code"])
        except ApplicationError as exc:
            report.add_error(rowno, "code", cell["code"], exc.message)
            continue
        if code in seen:
            report.add_error(rowno, "code", code, _("编号与第 %(row)s 行重复") % {"row": seen[code]})
            continue
        seen[code] = rowno
        try:
            data = article_data(
                title=cell["title"],
                body=cell["body"],
                category=cell["category"],
                kind=kinds.get(code)
                or KIND_BY_ROOT.get(cell["category"].split("/")[0].strip(), ArticleKind.ARTICLE),
                keywords=cell["keywords"],
                valid_from=cell["valid_from"],
                valid_to=cell["valid_to"],
                change_note=_("导入"),
            )
        except ApplicationError as exc:
            report.add_error(rowno, exc.field or "*", cell.get(exc.field or "", ""), exc.message)
            continue
        rows.append((rowno, code, data))
    return rows


@register_importer("knowledge", gettext_lazy("知识库：编号、标题、分类、正文、关键词、生效与失效日期"))
def import_knowledge(*, source, actor=None, name: str = "", progress=None) -> ImportReport:
    report = ImportReport(kind="knowledge")
    table = read_table(source, name=name)
    if not check_headers(table, COLUMNS, report):
        raise ImportFailed(report)
    rows = parse_rows(table, report)
    if progress:
        progress(report.rows)
    if not report.ok:
        raise ImportFailed(report)
    if not rows:
        report.add_error(2, "code", "", _("文件没有数据行"))
        raise ImportFailed(report)
    counts = knowledge_import(actor=actor, rows=rows, name=name)
    report.created, report.updated, report.unchanged = (
        counts["created"],
        counts["updated"],
        counts["unchanged"],
    )
    return report
