"""Rendering a report's figures: charts and context for the page/PDF, the Excel workbook, the PDF."""

from __future__ import annotations

from django.template.loader import render_to_string

from gridcare.core.charts import bar_chart, line_chart

KIND_LABELS = {"weekly": "周报", "monthly": "月报"}


def report_context(data: dict) -> dict:
    """Template context shared by the web page and the PDF (charts are inline SVG)."""
    from gridcare.escalation.selectors import SATISFACTION_DEFINITION

    daily = data.get("daily", [])
    from gridcare.surveys.selectors import CSI_DEFINITION

    return {
        "r": data,
        "satisfaction_definition": SATISFACTION_DEFINITION,
        "csi_definition": CSI_DEFINITION,
        "kind_label": KIND_LABELS.get(data.get("kind"), data.get("kind")),
        "chart_daily": line_chart([d["date"][5:] for d in daily], [("受理量", [d["count"] for d in daily])]),
        "chart_channel": bar_chart([(r["label"], r["count"]) for r in data.get("by_channel", [])]),
        "chart_type": bar_chart([(r["label"], r["count"]) for r in data.get("by_type", [])], color="#2ca02c"),
        "chart_dimension": bar_chart(
            [(r["label"], r["count"]) for r in data.get("by_dimension", [])], color="#ff7f0e"
        ),
        "chart_issues": bar_chart(
            [(t["label"], t["count"]) for t in data.get("top_issues", {}).get("topics", [])], color="#d62728"
        ),
        "chart_consultation": bar_chart(
            [(t["label"], t["count"]) for t in data.get("consultation", {}).get("topics", [])],
            color="#9467bd",
        ),
    }


# The CJK face every report PDF embeds. It comes with the package (PyPI
# ``pylopdf-fonts-zh-cn``: Noto Sans SC Regular from notofonts/noto-cjk, SIL Open Font
# License 1.1), so Chinese renders on a machine without any CJK system font; the PDF
# template and the charts name this family first.
PDF_FONT_FAMILY = "Noto Sans SC"


def pdf_font_path():
    """The packaged font file (``pathlib.Path``) behind ``PDF_FONT_FAMILY``."""
    import pylopdf_fonts_zh_cn

    return pylopdf_fonts_zh_cn.sans_path()


def pdf_font_face_css() -> str:
    """An ``@font-face`` rule loading ``PDF_FONT_FAMILY`` from the packaged file (``file://``)."""
    return f'@font-face {{ font-family: "{PDF_FONT_FAMILY}"; src: url("{pdf_font_path().as_uri()}"); }}'


def render_pdf(data: dict) -> bytes:
    """The report as a PDF; its text is set in the packaged CJK font (``PDF_FONT_FAMILY``),
    whatever fonts the machine has (the font file travels with the package)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string("analytics/report_pdf.html", report_context(data))
    font_config = FontConfiguration()
    fonts = CSS(string=pdf_font_face_css(), font_config=font_config)
    return HTML(string=html).write_pdf(stylesheets=[fonts], font_config=font_config)


def _pct(v):
    return "" if v is None else v


def render_xlsx(data: dict) -> bytes:
    """The report as a workbook (core ``Workbook``: text cells are never formulas)."""
    from gridcare.core.exporting import Workbook

    book = Workbook()
    t = data["totals"]
    ws = book.add_sheet("概览")
    ws.heading(f"{data['scope']} 供电服务分析{KIND_LABELS.get(data['kind'], '')} {data['period']}")
    ws.line(f"{data['start']} 至 {data['end']}，生成于 {data['generated_at']}")
    ws.row += 1
    ws.table(
        [
            "指标",
            "本期",
            f"上期 {t['previous_period']}",
            "环比%",
            f"去年同期 {t['last_year_period']}",
            "同比%",
        ],
        [
            [
                "受理量",
                t["count"],
                t["previous"],
                _pct(t["change_prev"]),
                t["last_year"],
                _pct(t["change_yoy"]),
            ]
        ],
    )
    c, s = data["compliance"], data["satisfaction"]
    ws.table(
        ["时限应到期", "按时", "超时完成", "超时未完成", "按时率%", "回访数", "满意", "不满意", "满意率%"],
        [
            [
                c["due"],
                c["on_time"],
                c["late"],
                c["overdue"],
                _pct(c["rate"]),
                s["surveyed"],
                s["satisfied"],
                s["unsatisfied"],
                _pct(s["rate"]),
            ]
        ],
    )
    rp = data["repeats"]
    ws.table(
        ["重复诉求客户", "涉及工单", "被催办工单"], [[rp["customers"], rp["orders"], rp["urged_orders"]]]
    )
    ws.set_column(0, 8, 16)

    vol_headers = ["类别", "代码", "本期", "上期", "环比%", "去年同期", "同比%"]
    ws = book.add_sheet("受理量")
    for key, name in (("by_channel", "按渠道"), ("by_type", "按诉求类型"), ("by_dimension", "按分析维度")):
        ws.heading(name)
        ws.table(
            vol_headers,
            [
                [
                    r["label"],
                    r["code"],
                    r["count"],
                    r["previous"],
                    _pct(r["change_prev"]),
                    r["last_year"],
                    _pct(r["change_yoy"]),
                ]
                for r in data[key]
            ],
        )
    ws.set_column(0, 6, 14)

    ws = book.add_sheet("每日")
    ws.table(["日期", "受理量"], [[d["date"], d["count"]] for d in data["daily"]])

    for sheet, key in (("热点问题", "top_issues"), ("咨询热点", "consultation")):
        ws = book.add_sheet(sheet)
        ws.table(
            ["主题", "关键词", "数量", "占比", "示例"],
            [
                [tp["label"], "、".join(tp["keywords"]), tp["count"], tp["share"], "\n".join(tp["examples"])]
                for tp in data[key]["topics"]
            ],
            wrap=[4],
        )
        ws.set_column(0, 1, 24)
        ws.set_column(4, 4, 80)

    ws = book.add_sheet("重复诉求")
    ws.table(
        ["户号", "台区", "诉求次数", "主要维度"],
        [[r["customer_no"], r["area"], r["count"], r["dimensions"]] for r in rp["top"]],
    )
    ws.set_column(0, 3, 20)

    ws = book.add_sheet("时限")
    ws.table(
        ["时限", "应到期", "按时", "超时完成", "超时未完成", "按时率%"],
        [
            [r["label"], r["due"], r["on_time"], r["late"], r["overdue"], _pct(r["rate"])]
            for r in c["by_kind"]
        ],
    )

    ws = book.add_sheet("单位排名")
    ws.table(
        ["排名", "单位", "工单", "投诉", "户数", "每千户投诉", "按时率%", "满意率%", "综合得分"],
        [
            [
                r["rank"],
                r["unit"],
                r["orders"],
                r["complaints"],
                r["customers"],
                r["complaints_per_1000"],
                r["on_time_rate"],
                r["satisfaction_rate"],
                r["score"],
            ]
            for r in data["units"]
        ],
    )
    ws.set_column(1, 1, 20)

    ws = book.add_sheet("热点台区")
    hs = data["hotspots"]
    ws.heading(f"近 {hs['days']} 天显著热点 {hs['total']} 个（检验 {hs['tested']} 项）")
    ws.table(
        [
            "排名",
            "台区编码",
            "台区",
            "供电所",
            "维度",
            "事件数",
            "期望数",
            "每千户",
            "q值",
            "类型",
            "故障报修事件",
            "负载率",
            "重复诉求户",
            "建议措施",
            "典型诉求",
        ],
        [
            [
                h["rank"],
                h["code"],
                h["name"],
                h["station"],
                h["dimension_label"],
                h["count"],
                h["expected"],
                h["rate_per_1000"],
                float(f"{h['q_value']:.3g}"),
                h["kind"],
                h["outages"],
                h["load_ratio"],
                h["repeat_customers"],
                h["action"],
                h["sample"],
            ]
            for h in hs["items"]
        ],
    )
    ws.set_column(1, 3, 18)
    insp = data.get("inspections")
    if insp:  # reports generated before inspections existed have no such section
        ws = book.add_sheet("明查暗访")
        ws.table(
            ["检查次数", "合格", "合格率%", "否决", "平均得分", "不合格项", "已验证整改"],
            [
                [
                    insp["inspections"],
                    insp["passed"],
                    _pct(insp["pass_rate"]),
                    insp["vetoed"],
                    insp["average_score"],
                    insp["failed_items"],
                    insp["failed_items_verified"],
                ]
            ],
        )
        ws.table(
            ["检查对象", "类型", "日期", "检查方式", "得分", "合格", "不合格项"],
            [
                [
                    x["site"],
                    x["site_kind"],
                    x["date"],
                    x["kind"],
                    x["score"],
                    "是" if x["passed"] else "否",
                    x["failed_items"],
                ]
                for x in insp["published"]
            ],
        )
        ws.set_column(0, 6, 14)
    kb = data.get("knowledge")
    if kb:
        ws = book.add_sheet("知识库缺口")
        ws.line(f"知识库检索 {kb['searches']} 次，无结果 {kb['empty_searches']} 次")
        ws.table(["无结果的检索词", "次数"], [[g["query"], g["count"]] for g in kb["gaps"]])
        ws.table(
            ["无知识条目的咨询主题（建议编写条目并宣传）", "咨询数", "示例"],
            [[t["term"], t["count"], t["example"]] for t in kb["topics"]],
        )
        ws.set_column(0, 2, 24)
    sv = data.get("surveys")
    if sv:  # reports generated before the surveys existed have no such section
        from gridcare.surveys.selectors import CSI_DEFINITION

        ws = book.add_sheet("满意度调查")
        cells = ("invited", "n", "response_rate", "csi", "low", "high")
        ws.table(
            ["单位", "发送邀请", "已答复", "答复率%", "满意度指数", "95%置信下限", "95%置信上限"],
            [
                *([u["name"], *(_pct(u[k]) for k in cells)] for u in sv["units"]),
                ["合计", *(_pct(sv["overall"][k]) for k in cells)],
            ],
        )
        ws.line(str(CSI_DEFINITION))
        ws.set_column(0, 0, 20)
        ws.set_column(1, 6, 14)
    return book.close()
