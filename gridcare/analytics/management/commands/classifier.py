"""`gridcare classifier train|evaluate|list|rollback`: the classifier's model lifecycle."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from gridcare.analytics.classifier import (
    SHIPPED_VERSION,
    TrainConfig,
    active_model,
    heldout_corpus,
    shipped_model,
)
from gridcare.analytics.classifier.corpus import collect_training_data
from gridcare.analytics.classifier.evaluation import evaluate, format_metrics, split_evaluation
from gridcare.analytics.classifier.registry import load_version
from gridcare.analytics.selectors import classifier_versions
from gridcare.analytics.services import classifier_activate, classifier_train
from gridcare.core.errors import ApplicationError


class Command(BaseCommand):
    help = "分类模型管理 / classifier lifecycle: train, evaluate, list, rollback VERSION"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="retrain from the seed corpus plus confirmed labels; activate")
        train.add_argument(
            "--no-activate", action="store_true", help="train and register but keep the current model"
        )
        train.add_argument("--seed-only", action="store_true", help="ignore registered label sources")
        train.add_argument("--no-evaluate", action="store_true", help="skip the split / held-out evaluation")
        train.add_argument("--limit", type=int, default=None, help="train on a random subset of this size")
        train.add_argument("--note", default="")
        ev = sub.add_parser(
            "evaluate", help="per-class P/R/F1 and confusion on a 20%% split and the held-out set"
        )
        ev.add_argument(
            "--version", default=None, help="version to evaluate on the held-out set (default: active)"
        )
        ev.add_argument("--json", action="store_true", help="print metrics as JSON")
        ev.add_argument("--seed", type=int, default=0, help="random seed of the stratified split")
        ev.add_argument("--skip-split", action="store_true")
        sub.add_parser("list", help="versions, which one is active, their metrics")
        rb = sub.add_parser(
            "rollback", help=f"activate an earlier VERSION ('{SHIPPED_VERSION}' = shipped model)"
        )
        rb.add_argument("version")
        sub.add_parser(
            "build-seed",
            help=f"maintainers: rebuild the shipped {SHIPPED_VERSION} artifact from the seed corpus",
        )

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"do_{action.replace('-', '_')}")(**options)
        except ApplicationError as exc:
            raise CommandError(exc.message)
        except DatabaseError as exc:
            raise CommandError(f"database not ready ({exc}); run `gridcare migrate` first")

    # -- train ---------------------------------------------------------------------------
    def do_train(self, *, no_activate, seed_only, no_evaluate, limit, note, **_):
        row = classifier_train(
            activate=not no_activate,
            include_sources=not seed_only,
            limit=limit,
            run_evaluation=not no_evaluate,
            note=note,
        )
        t = row.trained_on
        self.stdout.write(
            f"trained {row.version} on {t.get('total')} texts (seed {t.get('seed')}, "
            f"sources {t.get('sources')}) in {row.metrics.get('train_seconds')}s"
        )
        for name in ("split", "heldout"):
            m = row.metrics.get(name)
            if m:
                self.stdout.write(
                    f"  {name}: request_type macro-F1 {m['request_type']['macro_f1']:.3f}, "
                    f"dimension macro-F1 {m['dimension']['macro_f1']:.3f}"
                )
        self.stdout.write(f"active: {row.version}" if row.is_active else "not activated")

    # -- evaluate ------------------------------------------------------------------------
    def do_evaluate(self, *, version, json: bool, seed, skip_split, **_):
        import json as jsonlib

        model = self._model(version)
        out = {"model_version": model.version}
        if not skip_split:
            rows, counts = collect_training_data()
            config = model.config if isinstance(model.config, TrainConfig) else None
            out["split"] = split_evaluation(rows, config, seed=seed)
            out["split"]["trained_on"] = counts
        out["heldout"] = evaluate(model, heldout_corpus())
        if json:
            self.stdout.write(jsonlib.dumps(out, ensure_ascii=False, indent=1))
            return
        self.stdout.write(f"model {model.version}")
        if "split" in out:
            self.stdout.write(
                format_metrics(
                    f"stratified 20% split of the training data (model retrained on the other 80%, "
                    f"{out['split']['trained_on']['total']} texts in all)",
                    out["split"],
                )
            )
        self.stdout.write(
            format_metrics(
                f"held-out evaluation set (never trained on), model {model.version}", out["heldout"]
            )
        )

    def _model(self, version):
        if version is None:
            return active_model()
        if version == SHIPPED_VERSION:
            return shipped_model()
        row = classifier_versions().filter(version=version).first()
        if row is None:
            raise CommandError(f"unknown version {version}")
        return load_version(row.version, row.artifact)

    # -- list ----------------------------------------------------------------------------
    def do_list(self, **_):
        try:
            rows = list(classifier_versions())
        except DatabaseError:
            rows = []
            self.stderr.write("database not available: showing the shipped model only")
        shipped = shipped_model()
        any_active = any(r.is_active for r in rows)
        self.stdout.write(
            f"{'':2}{'version':<24}{'created':<22}{'texts':>7}{'split F1 t/d':>16}{'held-out F1 t/d':>18}"
        )
        for r in rows:
            self.stdout.write(
                self._line(
                    r.is_active,
                    r.version,
                    timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
                    r.trained_on.get("total"),
                    r.metrics,
                )
            )
        meta = shipped.metadata
        self.stdout.write(
            self._line(
                not any_active,
                SHIPPED_VERSION + " (shipped)",
                _local(meta.get("created_at")),
                meta.get("trained_on", {}).get("total"),
                meta.get("metrics", {}),
            )
        )

    @staticmethod
    def _line(active, version, created, total, metrics):
        def pair(name):
            m = metrics.get(name) or {}
            if not m:
                return "-"
            return f"{m['request_type']['macro_f1']:.3f}/{m['dimension']['macro_f1']:.3f}"

        return f"{'*' if active else ' ':2}{version:<24}{created:<22}{total or '-':>7}{pair('split'):>16}{pair('heldout'):>18}"

    # -- build-seed ----------------------------------------------------------------------
    def do_build_seed(self, **_):
        from gridcare.analytics.classifier.registry import reset_cache
        from gridcare.analytics.classifier.shipping import build_shipped_model

        model = build_shipped_model()
        reset_cache()
        self.stdout.write(
            f"wrote {SHIPPED_VERSION} ({model.metadata['n_features']} features, "
            f"{model.metadata['trained_on']['total']} texts)"
        )
        for name, m in model.metadata["metrics"].items():
            self.stdout.write(format_metrics(name, m))

    # -- rollback ------------------------------------------------------------------------
    def do_rollback(self, *, version, **_):
        classifier_activate(version=version)
        self.stdout.write(f"active: {version}")


def _local(iso: str | None) -> str:
    if not iso:
        return ""
    import datetime as dt

    return timezone.localtime(dt.datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M")
