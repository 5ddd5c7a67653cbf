"""`gridcare classify --input IN.jsonl --output OUT.jsonl`: bulk request classification.

Each input line is a JSON object with a ``text`` field; other fields pass through. Each
output line adds ``request_type``, ``dimension``, ``request_type_probability``,
``dimension_probability``, ``probabilities`` (both distributions), ``low_confidence``
and ``model_version`` (existing fields of those names are overwritten).

Lines that cannot be classified (malformed JSON, not an object, no ``text``, ``text``
empty or not a string) still produce an output line, with null labels, ``error`` and
``line``; each is reported on stderr with its line number. Blank lines are skipped.

Exit status: 0 all lines classified; 2 some lines failed (the others were written);
1 the command could not run (input missing, bad option).

No database is needed: the active trained version is used when the database has one,
otherwise the model shipped with the package (``seed-2``, ``corpus.SHIPPED_VERSION``).
"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from gridcare.analytics.classifier import SHIPPED_VERSION, TextClassifier, active_model, shipped_model
from gridcare.analytics.classifier.jsonl import BATCH_SIZE, classify_stream


class Command(BaseCommand):
    help = "批量分类 JSONL 文本 / classify a JSON-lines file (request type + dimension)"
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--input", "-i", required=True, help="input JSONL file, '-' for stdin")
        parser.add_argument("--output", "-o", required=True, help="output JSONL file, '-' for stdout")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="low-confidence threshold on the top probability (default 0.5)",
        )
        parser.add_argument(
            "--model",
            default=None,
            help=f"'{SHIPPED_VERSION}' (shipped model, no database), or a .joblib path; "
            "default: the active version",
        )
        parser.add_argument("--quiet", "-q", action="store_true", help="no summary on stderr")

    def handle(self, *args, input, output, batch_size, threshold, model, quiet, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be positive")
        if model == SHIPPED_VERSION:
            clf = shipped_model()
        elif model:
            try:
                clf = TextClassifier.load(model)
            except Exception as exc:
                raise CommandError(f"cannot load model {model}: {exc}")
        else:
            clf = active_model()
        try:
            src = sys.stdin.buffer if input == "-" else open(input, "rb")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"cannot read {input}: {exc}")
        try:
            dst = sys.stdout if output == "-" else open(output, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc}")
        started = time.perf_counter()
        try:
            report = classify_stream(
                src,
                dst.write,
                model=clf,
                threshold=threshold,
                batch_size=batch_size,
                on_error=lambda n, msg: self.stderr.write(f"line {n}: {msg}"),
            )
        finally:
            if src is not sys.stdin.buffer:
                src.close()
            if dst is not sys.stdout:
                dst.close()
            else:
                dst.flush()
        elapsed = time.perf_counter() - started
        if not quiet:
            self.stderr.write(
                f"{report.classified} classified, {report.failed} failed of {report.lines} lines "
                f"in {elapsed:.1f}s (model {clf.version})"
            )
        if report.failed:
            raise CommandError(f"{report.failed} line(s) failed", returncode=2)
