"""Bulk classification of JSON-lines files (the ``gridcare classify`` contract).

Every non-blank input line produces exactly one output line, in order, so nothing is
lost: a classified object (input fields passed through, classification fields added),
or an error object carrying ``error`` and ``line`` (1-based input line number) with the
label fields set to null. Malformed lines (not UTF-8, not JSON, not an object) keep
their raw text under ``raw``. Blank input lines are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .model import TextClassifier
from .registry import classify_texts

BATCH_SIZE = 1000
OUTPUT_FIELDS = (
    "request_type",
    "dimension",
    "request_type_probability",
    "dimension_probability",
    "probabilities",
    "low_confidence",
    "model_version",
)


@dataclass
class RunReport:
    lines: int = 0
    classified: int = 0
    failed: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0


def _error_record(
    lineno: int, message: str, version: str, base: dict | None = None, raw: str | None = None
) -> dict:
    out = dict(base or {})
    if raw is not None:
        out["raw"] = raw
    out.update({k: None for k in OUTPUT_FIELDS})
    out["probabilities"] = {}
    out["low_confidence"] = True
    out["model_version"] = version
    out["line"] = lineno
    out["error"] = message
    return out


def _parse(lineno: int, raw: bytes) -> tuple[dict | None, str | None, str]:
    """(object, error, text-of-line)."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "line is not valid UTF-8", raw.decode("utf-8", errors="replace")
    if lineno == 1:
        line = line.lstrip("\ufeff")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"malformed JSON: {exc.msg} (column {exc.colno})", line.rstrip("\r\n")
    if not isinstance(obj, dict):
        return None, "line is not a JSON object", line.rstrip("\r\n")
    if "text" not in obj:
        return obj, "missing field 'text'", line
    text = obj["text"]
    if not isinstance(text, str):
        return obj, "field 'text' is not a string", line
    if not text.strip():
        return obj, "empty text", line
    return obj, None, line


def classify_stream(
    lines: Iterable[bytes],
    write: Callable[[str], None],
    *,
    model: TextClassifier,
    threshold: float | None = None,
    batch_size: int = BATCH_SIZE,
    on_error: Callable[[int, str], None] | None = None,
) -> RunReport:
    """Classify JSON lines from ``lines`` (bytes, one per line) and ``write`` output lines."""
    report = RunReport()
    version = model.version
    pending: list[tuple[int, dict | None, str | None, str]] = []

    def flush() -> None:
        todo = [(i, obj) for i, (_n, obj, err, _raw) in enumerate(pending) if err is None]
        preds = classify_texts([obj["text"] for _i, obj in todo], threshold=threshold, model=model)
        by_index = {i: p for (i, _obj), p in zip(todo, preds, strict=True)}
        for i, (lineno, obj, err, raw) in enumerate(pending):
            if err is not None:
                report.failed += 1
                report.errors.append((lineno, err))
                if on_error:
                    on_error(lineno, err)
                record = _error_record(lineno, err, version, base=obj, raw=None if obj is not None else raw)
            else:
                record = dict(obj)
                record.update(by_index[i].as_dict())
                report.classified += 1
            write(json.dumps(record, ensure_ascii=False) + "\n")
        pending.clear()

    for lineno, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        report.lines += 1
        obj, err, text = _parse(lineno, raw)
        pending.append((lineno, obj, err, text))
        if len(pending) >= batch_size:
            flush()
    if pending:
        flush()
    return report
