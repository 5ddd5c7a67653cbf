"""Writes of the analytics domain: training, activating and rolling back classifier versions."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from gridcare.core.audit import audit_record
from gridcare.core.errors import ApplicationError

from .classifier import corpus, registry
from .classifier.evaluation import evaluate, split_evaluation
from .classifier.model import TextClassifier, TrainConfig
from .models import ClassifierModel


def _new_version() -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    version, n = f"v{stamp}", 1
    while ClassifierModel.objects.filter(version=version).exists():
        n += 1
        version = f"v{stamp}-{n}"
    return version


def classifier_train(
    *,
    actor=None,
    activate: bool = True,
    include_seed: bool = True,
    include_sources: bool = True,
    config: TrainConfig | None = None,
    limit: int | None = None,
    run_evaluation: bool = True,
    note: str = "",
) -> ClassifierModel:
    """Train a new classifier version from the seed corpus plus registered label sources.

    Guarantees: the artifact is fully written before its row exists; metrics come from a
    stratified 20 % split of the training data (a model trained on the other 80 %) and
    from the separately written held-out set, which is never trained on; the new
    version becomes the active one when ``activate`` is true. ``limit`` trains on a
    random subset (tests, quick checks).
    """
    rows, counts = corpus.collect_training_data(include_sources=include_sources)
    if not include_seed:
        rows = [r for r in rows if r.source != "seed"]
        counts["seed"] = 0
    if limit is not None and len(rows) > limit:
        rows = random.Random(0).sample(rows, limit)
    counts["total"] = len(rows)
    if len({r.request_type for r in rows}) < 2 or len({r.dimension for r in rows}) < 2:
        raise ApplicationError("not enough labelled texts to train a classifier", code="no_training_data")
    config = config or TrainConfig()
    started = dt.datetime.now(dt.UTC)
    metrics: dict = {}
    if run_evaluation:
        metrics["split"] = split_evaluation(rows, config)
    model = TextClassifier.train(
        [r.text for r in rows], [r.request_type for r in rows], [r.dimension for r in rows], config
    )
    if run_evaluation:
        metrics["heldout"] = evaluate(model, corpus.heldout_corpus())
    metrics["train_seconds"] = round((dt.datetime.now(dt.UTC) - started).total_seconds(), 1)
    version = _new_version()
    model.metadata["version"] = version
    model.metadata["trained_on"] = counts
    relative = f"models/{version}.joblib"
    model.save(registry.data_dir() / relative)
    with transaction.atomic():
        row = ClassifierModel.objects.create(
            version=version,
            artifact=relative,
            trained_on=counts,
            metrics=metrics,
            params=config.as_dict(),
            note=note,
        )
        audit_record(actor=actor, action="classifier.train", obj=row, changes={"trained_on": counts})
    if activate:
        row = classifier_activate(actor=actor, version=version)
    return row


def classifier_activate(*, actor=None, version: str) -> ClassifierModel | None:
    """Make ``version`` the model that classifies; ``corpus.SHIPPED_VERSION`` (``seed-2``) means the shipped artifact.

    Used for activation after training and for rollback. Exactly one row (or none, for
    ``seed-2``) is active afterwards; the change is audited and the in-process model
    cache is told to look again.
    """
    with transaction.atomic():
        if version == corpus.SHIPPED_VERSION:
            target = None
        else:
            target = ClassifierModel.objects.select_for_update().filter(version=version).first()
            if target is None:
                raise ApplicationError(
                    f"unknown classifier version {version!r}", field="version", code="not_found", status=404
                )
            path = registry.data_dir() / target.artifact
            if not path.exists():
                raise ApplicationError(
                    f"the artifact of {version} is missing ({path})", field="version", code="artifact_missing"
                )
        previous = list(ClassifierModel.objects.select_for_update().filter(is_active=True))
        previous_versions = [p.version for p in previous]
        ClassifierModel.objects.filter(is_active=True).update(is_active=False)
        if target is not None:
            target.is_active = True
            target.activated_at = timezone.now()
            target.save(update_fields=["is_active", "activated_at"])
        audit_record(
            actor=actor,
            action="classifier.activate",
            object_type="analytics.classifiermodel",
            object_id=str(target.pk) if target else "",
            object_repr=version,
            changes={
                "active": [previous_versions[0] if previous_versions else corpus.SHIPPED_VERSION, version]
            },
        )
        transaction.on_commit(registry.invalidate_active)
    registry.invalidate_active()
    return target


def order_classification_record(*, order_id: int):
    """Record the classifier's suggestion for an order and whether the agent's labels agree.

    Idempotent: an order that already has its row is left alone (safe to run twice or
    from two workers). Orders without text are skipped.
    """
    from gridcare.workorders.models import WorkOrder

    from .classifier import classify_texts
    from .models import OrderClassification

    if OrderClassification.objects.filter(order_id=order_id).exists():
        return None
    order = (
        WorkOrder.objects.filter(pk=order_id).only("id", "description", "request_type", "dimension").first()
    )
    if order is None or not (order.description or "").strip():
        return None
    p = classify_texts([order.description])[0]
    if p.request_type is None:
        return None
    row, _created = OrderClassification.objects.get_or_create(
        order_id=order.pk,
        defaults={
            "suggested_request_type": p.request_type,
            "suggested_dimension": p.dimension,
            "request_type_probability": p.request_type_probability,
            "dimension_probability": p.dimension_probability,
            "low_confidence": p.low_confidence,
            "model_version": p.model_version,
            "type_accepted": p.request_type == order.request_type,
            "dimension_accepted": p.dimension == order.dimension,
        },
    )
    return row
