import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gridcare.analytics.classifier import SHIPPED_VERSION

ROOT = Path(__file__).resolve().parents[3]


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_classify_contract_with_bad_lines(tmp_path):
    long_text = "我家停电好几天了，" * 600  # ~5,400 characters
    src = _write(
        tmp_path / "in.jsonl",
        [
            json.dumps({"id": 1, "text": "家里停电了，快派人来修", "channel": "95598"}, ensure_ascii=False),
            '{"id": 2, "text": "没有闭合的引号}',
            json.dumps({"id": 3, "text": "   "}),
            json.dumps({"id": 4, "body": "没有 text 字段"}, ensure_ascii=False),
            "",
            json.dumps({"id": 5, "text": "Power outage since 8pm, please send someone"}),
            json.dumps({"id": 6, "text": "😡😡😡电费又多扣了！！退钱"}, ensure_ascii=False),
            json.dumps({"id": 7, "text": long_text}, ensure_ascii=False),
            "[1, 2, 3]",
            json.dumps({"id": 9, "text": 42}),
        ],
    )
    out = tmp_path / "out.jsonl"
    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("classify", input=str(src), output=str(out), model=SHIPPED_VERSION, stderr=err)
    assert exc.value.returncode == 2
    rows = _read(out)
    assert len(rows) == 9  # every non-blank input line has an output line, in order
    ok = [r for r in rows if "error" not in r]
    assert [r["id"] for r in ok] == [1, 5, 6, 7]
    first = ok[0]
    assert first["channel"] == "95598"
    assert first["request_type"] == "fault_repair" and first["dimension"] == "supply_reliability"
    for key in ("request_type_probability", "dimension_probability", "low_confidence", "model_version"):
        assert key in first
    assert set(first["probabilities"]) == {"request_type", "dimension"}
    assert ok[2]["dimension"] == "billing_payment"
    errors = {r["line"]: r for r in rows if "error" in r}
    assert set(errors) == {2, 3, 4, 9, 10}
    assert errors[2]["raw"].startswith('{"id": 2') and errors[2]["request_type"] is None
    assert errors[3]["id"] == 3 and errors[3]["error"] == "empty text"
    assert errors[4]["body"] and "text" in errors[4]["error"]
    messages = err.getvalue()
    for n in (2, 3, 4, 9, 10):
        assert f"line {n}:" in messages


def test_classify_all_good_exits_zero(tmp_path, small_model, monkeypatch):
    from gridcare.analytics.classifier import registry

    monkeypatch.setattr(registry, "active_model", lambda: small_model)
    monkeypatch.setattr("gridcare.analytics.management.commands.classify.active_model", lambda: small_model)
    src = _write(
        tmp_path / "in.jsonl", [json.dumps({"text": f"第{i}次停电了"}, ensure_ascii=False) for i in range(25)]
    )
    out = tmp_path / "out.jsonl"
    call_command("classify", input=str(src), output=str(out), batch_size=10, stderr=StringIO())
    rows = _read(out)
    assert len(rows) == 25 and all(r["model_version"] == "test-small" for r in rows)


def test_console_command_exit_code_without_database(tmp_path):
    src = _write(
        tmp_path / "in.jsonl", ['{"text": "电线杆倒了压着电线"}', "not json", '{"text": "网上国网打不开"}']
    )
    out = tmp_path / "out.jsonl"
    env = {
        **os.environ,
        "GRIDCARE_DATA_DIR": str(tmp_path / "fresh"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("DATABASE_URL", None)
    proc = subprocess.run(
        [sys.executable, "-m", "gridcare.cli", "classify", "--input", str(src), "--output", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "line 2:" in proc.stderr
    rows = _read(out)
    assert [r.get("dimension") for r in rows] == ["supply_safety", None, "service_channel"]
    assert not (tmp_path / "fresh" / "gridcare.sqlite3").exists()  # the database was not touched


@pytest.mark.django_db
def test_classifier_list_and_evaluate_commands():
    out = StringIO()
    call_command("classifier", "list", stdout=out)
    assert f"* {SHIPPED_VERSION}" in out.getvalue()
    out = StringIO()
    call_command("classifier", "evaluate", "--skip-split", stdout=out)
    text = out.getvalue()
    assert "held-out" in text and "macro-F1" in text and "confusion" in text
