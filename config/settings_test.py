"""Test settings: fast hashing, tasks run eagerly, nothing leaves the machine."""

from .settings import *  # noqa: F401,F403
from .settings import DATA_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
GRIDCARE_NOTIFY_BACKEND = "gridcare.escalation.backends.RecordingBackend"
TEST_ARTIFACTS_DIR = DATA_DIR.parent / "test-artifacts"

# SQLite tests use a file, not shared-cache memory, so concurrent-connection tests see real
# locking (busy timeout) like production instead of "database table is locked".
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import os
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"gridcare-test-{os.getpid()}.sqlite3")
    }
