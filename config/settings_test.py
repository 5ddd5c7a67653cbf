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
