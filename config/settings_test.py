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
# The sign-in lockout needs the request in authenticate(), which the test client's login()
# does not pass; the lockout's own tests turn it on (gridcare/core/tests/test_security.py).
AXES_ENABLED = False
# Each test starts with a fresh calendar copy (gridcare/conftest.py); a recheck of the shared
# version token in the middle of a query-count test would count one query more.
GRIDCARE_CALENDAR_RECHECK_SECONDS = 3600.0
TEST_ARTIFACTS_DIR = DATA_DIR.parent / "test-artifacts"

# SQLite tests use a file, not shared-cache memory, so concurrent-connection tests see real
# locking (busy timeout) like production instead of "database table is locked".
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import os
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"gridcare-test-{os.getpid()}.sqlite3")
    }


class InvalidTemplateVariable(str):
    """``string_if_invalid`` that raises: a template naming a variable that does not resolve
    (``{{ e.actor.username }}`` with no actor, a filter argument on None) fails the test that
    renders it instead of printing nothing in a test and a 500 in production. Only GridCare's
    own templates are held to it; Django's admin templates rely on the silent default."""

    def __mod__(self, name):
        import inspect

        for frame_info in inspect.stack()[1:40]:
            template = frame_info.frame.f_locals.get("context")
            origin = getattr(getattr(getattr(template, "template", None), "origin", None), "name", "") or ""
            if origin:
                if "/gridcare/" in origin.replace("\\", "/") and "/site-packages/" not in origin:
                    from django.template import TemplateSyntaxError

                    raise TemplateSyntaxError(f"invalid template variable {name!r} in {origin}")
                return ""
        return ""


TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable("%s")  # noqa: F405
