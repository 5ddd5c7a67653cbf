"""Periodic work of data quality (see ``gridcare.core.scheduling``)."""

from gridcare.core.scheduling import periodic

from .choices import RunTrigger
from .services import data_quality_run


@periodic("dataquality.nightly_checks", every_seconds=24 * 3600)
def nightly_checks_job() -> dict:
    """Nightly: every enabled check over the master data; new problems raised, gone ones
    closed (idempotent: a second run the same night raises and closes nothing)."""
    run = data_quality_run(trigger=RunTrigger.NIGHTLY)
    return {"run": run.pk, **{code: c["found"] for code, c in run.counts.items()}}
