"""Excel exports of the escalation domain, written with the core workbook writer."""

from __future__ import annotations

from gridcare.core.exporting import write_workbook

from .choices import FailureCause, FailureOrigin


def recovery_dashboard_workbook(d: dict) -> bytes:
    """The recovery-learning dashboard (``selectors.learning_dashboard``), one sheet per table."""
    origin, cause = dict(FailureOrigin.choices), dict(FailureCause.choices)
    p = d["paradox"]
    sheets = [
        (
            "失误来源",
            ["来源", "件数"],
            [(str(origin.get(r["origin"], r["origin"])), r["n"]) for r in d["by_origin"]],
        ),
        (
            "失误原因",
            ["原因", "件数"],
            [(str(cause.get(r["cause"], r["cause"])), r["n"]) for r in d["by_cause"]],
        ),
        (
            "责任单位",
            ["单位编码", "单位", "件数"],
            [(r["responsible_unit__code"], r["responsible_unit__name"], r["n"]) for r in d["by_unit"]],
        ),
        (
            "按月",
            ["月份", "原因", "件数"],
            [
                (
                    r["month"].strftime("%Y-%m") if r["month"] else "",
                    str(cause.get(r["cause"], r["cause"])),
                    r["n"],
                )
                for r in d["by_month"]
            ],
        ),
        (
            "反复出现",
            ["单位", "原因", "件数"],
            [
                (r["responsible_unit__name"], str(cause.get(r["cause"], r["cause"])), r["n"])
                for r in d["recurring"]
            ],
        ),
        (
            "补救悖论",
            ["组别", "满意率%", "样本数"],
            [
                ("补救后", p["after_recovery"], p["after_recovery_n"]),
                ("无失误工单", p["no_failure"], p["no_failure_n"]),
            ],
        ),
        ("补偿", ["合计(元)", "笔数"], [(float(d["compensation_total"] or 0), d["compensation_count"])]),
        (
            "时限达标",
            ["单位", "工单数", "超时工单", "达标率%", "50%预警", "80%预警"],
            [
                (
                    r["unit"],
                    r["orders"],
                    r["breached"],
                    r["compliance"],
                    r["warnings"].get(50, 0),
                    r["warnings"].get(80, 0),
                )
                for r in d["compliance"]
            ],
        ),
        (
            "升级",
            ["升级至", "层级", "原因", "次数"],
            [(r["to_unit__name"], r["to_unit__kind"], r["reason"], r["n"]) for r in d["escalations"]],
        ),
        (
            "催办与重复",
            ["单位", "工单数", "催办", "重复诉求", "重复率%"],
            [(r["unit"], r["orders"], r["urges"], r["repeats"], r["repeat_rate"]) for r in d["per_unit"]],
        ),
    ]
    return write_workbook(None, sheets, constant_memory=False)
