"""Production hardening: deploy checks, HTTPS settings, CSP, sign-in lockout, gunicorn control
sockets, and the demo's fresh server database keeping its seeded configuration."""

import datetime as dt
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE_DIRS = sorted(ROOT.glob("gridcare/*/templates"))


def _clean_env(**extra) -> dict:
    """This process's environment without GridCare's settings, plus `extra`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GRIDCARE_")
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; no deployment has it.
        and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(extra)
    return env


def _env_example() -> dict:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def _production_env(tmp_path) -> dict:
    """.env.example as it stands, on SQLite in a temporary data directory (no server needed)."""
    return _clean_env(
        **{
            **_env_example(),
            "GRIDCARE_DATA_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'gridcare.sqlite3'}",
        }
    )


def _settings_in(env: dict, *names: str) -> dict:
    """The named settings as a fresh process with this environment sees them."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, default=str))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


# 1. and 4. check --deploy, HTTPS and Secure cookies ------------------------------------------


def test_check_deploy_with_env_example_has_no_warnings(tmp_path):
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    assert "WARNINGS" not in text and "System check identified some issues" not in text, text


def test_env_example_turns_on_https_hsts_secure_cookies_and_proxy_header(tmp_path):
    s = _settings_in(
        _production_env(tmp_path),
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_REDIRECT_EXEMPT",
    )
    assert s["SECURE_SSL_REDIRECT"] and s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"]
    assert s["SECURE_HSTS_SECONDS"] == 31536000 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    # The load balancer's plain-http health probe is not redirected.
    assert any(re.search(p, "healthz") for p in s["SECURE_REDIRECT_EXEMPT"])


def test_default_settings_stay_plain_http_for_the_demo(tmp_path):
    """`make demo` serves http://127.0.0.1:8000: no redirect, no Secure cookies, no HSTS."""
    s = _settings_in(
        _clean_env(GRIDCARE_DATA_DIR=str(tmp_path)),
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "ALLOWED_HOSTS",
    )
    assert not s["SECURE_SSL_REDIRECT"] and not s["SESSION_COOKIE_SECURE"] and not s["CSRF_COOKIE_SECURE"]
    assert s["SECURE_HSTS_SECONDS"] == 0 and s["SECURE_PROXY_SSL_HEADER"] is None
    assert "127.0.0.1" in s["ALLOWED_HOSTS"]


@pytest.mark.django_db
def test_demo_sign_in_page_answers_over_plain_http(client):
    resp = client.get("/login/")
    assert resp.status_code == 200
    assert "Strict-Transport-Security" not in resp
    assert "upgrade-insecure-requests" not in resp["Content-Security-Policy"]


# 2. Content-Security-Policy ---------------------------------------------------------------


def _directives(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


@pytest.mark.django_db
def test_pages_send_a_content_security_policy_without_inline_script(client, django_user_model):
    resp = client.get("/login/")
    csp = _directives(resp["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    client.force_login(django_user_model.objects.create_user("csp-user", password="pw-123456"))
    assert "Content-Security-Policy" in client.get("/").headers


def test_templates_have_no_inline_script_or_event_handlers():
    """The CSP forbids inline script: page behaviour lives in core/gridcare.js."""
    inline_script = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*application/json)[^>]*>", re.I
    )
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    found = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            if inline_script.search(text) or handler.search(text):
                found.append(str(path.relative_to(ROOT)))
    assert found == []


@pytest.mark.django_db
def test_api_docs_load_their_script_from_a_url(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"<script>", html)
    script = re.search(r'<script src="([^"]*script[^"]*)"', html).group(1).replace("&amp;", "&")
    js = client.get(script)
    assert js.status_code == 200 and "SwaggerUIBundle" in js.content.decode()
    assert "javascript" in js["Content-Type"]


# 3. Sign-in lockout ------------------------------------------------------------------------


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    return settings


@pytest.fixture
def agent(django_user_model):
    return django_user_model.objects.create_user("zhou", password="right-password")


def _sign_in(client, password, username="zhou", **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def test_correct_password_is_refused_after_repeated_failures(lockout, agent, client):
    for _ in range(4):
        assert _sign_in(client, "wrong").status_code == 200
    locked = _sign_in(client, "wrong")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode() and "15 分钟" in locked.content.decode()
    resp = _sign_in(client, "right-password")
    assert resp.status_code == 429 and "登录失败次数过多" in resp.content.decode()
    assert "_auth_user_id" not in client.session
    # The page is the sign-in page with the message, not a bare text.
    assert 'name="username"' in resp.content.decode() and 'value="zhou"' in resp.content.decode()


def test_lockout_message_in_english(lockout, agent, client):
    for _ in range(5):
        resp = _sign_in(client, "wrong", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 429
    assert "Too many failed sign-in attempts" in resp.content.decode()
    assert "15 minutes" in resp.content.decode()


def test_lockout_is_per_username_and_address(lockout, agent, client, django_user_model):
    django_user_model.objects.create_user("chen", password="chen-password")
    for _ in range(5):
        _sign_in(client, "wrong", REMOTE_ADDR="10.0.0.7")
    # Another agent behind the same NAT address, and the same agent from another address.
    assert _sign_in(client, "chen-password", username="chen", REMOTE_ADDR="10.0.0.7").status_code == 302
    client.logout()
    assert _sign_in(client, "right-password", REMOTE_ADDR="10.0.0.8").status_code == 302


def test_lockout_ends_after_the_cool_off_and_by_axes_reset(lockout, agent, client):
    from axes.models import AccessAttempt
    from django.utils import timezone

    for _ in range(5):
        _sign_in(client, "wrong")
    assert _sign_in(client, "right-password").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert _sign_in(client, "right-password").status_code == 302
    client.logout()
    for _ in range(5):
        _sign_in(client, "wrong")
    assert _sign_in(client, "right-password").status_code == 429
    call_command("axes_reset_username", "zhou", verbosity=0)
    assert _sign_in(client, "right-password").status_code == 302


def test_admin_sign_in_lockout_shows_the_message(lockout, django_user_model, client):
    django_user_model.objects.create_superuser("root", "root@example.com", "root-password")
    for _ in range(5):
        resp = client.post("/admin/login/", {"username": "root", "password": "wrong"})
    assert resp.status_code == 429 and "登录失败次数过多" in resp.content.decode()


def test_behind_the_proxy_the_client_is_the_address_the_proxy_appended(rf, settings):
    from gridcare.org.authentication import client_ip_address

    request = rf.post("/login/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.168.5.20")
    settings.BEHIND_PROXY = False
    assert client_ip_address(request) == "10.1.1.1"
    settings.BEHIND_PROXY = True
    assert client_ip_address(request) == "192.168.5.20"


def test_test_client_login_still_works(agent, client):
    assert client.login(username="zhou", password="right-password")


# 5. gunicorn control socket ----------------------------------------------------------------


def test_serve_gives_each_instance_its_own_control_socket(tmp_path):
    from gridcare.core.management.commands.serve import gunicorn_argv

    def socket_of(argv):
        return argv[argv.index("--control-socket") + 1]

    a = gunicorn_argv(host="127.0.0.1", port=8000, workers=2, threads=1, embedded=True)
    b = gunicorn_argv(host="127.0.0.1", port=8001, workers=2, threads=1, embedded=False)
    assert socket_of(a) != socket_of(b)
    assert Path(socket_of(a)).parent == Path(settings.DATA_DIR) / "run"
    own = gunicorn_argv(
        host="127.0.0.1",
        port=8000,
        workers=1,
        threads=1,
        embedded=False,
        control_socket=str(tmp_path / "x.ctl"),
    )
    assert socket_of(own) == str(tmp_path / "x.ctl")
    off = gunicorn_argv(
        host="127.0.0.1", port=8000, workers=1, threads=1, embedded=False, control_socket="off"
    )
    assert "--no-control-socket" in off and "--control-socket" not in off


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(predicate, timeout=60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
def test_stopping_one_gunicorn_leaves_the_other_ones_control_socket(tmp_path):
    from gridcare.core.management.commands.serve import gunicorn_argv

    # HOME and XDG_RUNTIME_DIR in tmp_path: gunicorn's shared default would land there, not in ~.
    env = _clean_env(
        GRIDCARE_DATA_DIR=str(tmp_path),
        HOME=str(tmp_path),
        XDG_RUNTIME_DIR=str(tmp_path),
        PYTHONUNBUFFERED="1",
    )
    procs, sockets = [], []
    try:
        for _ in range(2):
            argv = gunicorn_argv(host="127.0.0.1", port=_free_port(), workers=1, threads=1, embedded=False)
            sockets.append(Path(argv[argv.index("--control-socket") + 1]))
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", *argv[1:]],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            assert _wait_for(sockets[-1].exists), f"no control socket at {sockets[-1]}"
        procs[0].send_signal(signal.SIGTERM)
        procs[0].wait(timeout=60)
        assert not sockets[0].exists()
        assert sockets[1].exists() and procs[1].poll() is None
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=60)


# 6. `gridcare demo` on a fresh database keeps the seeded configuration ----------------------

FRESH_DATABASE_SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from gridcare.demo.management.commands.demo import Command
from gridcare.core.models import CalendarDay
from gridcare.escalation.models import AuthorityLimit, CallbackRule, WarningLevel
from gridcare.org.models import OrgUnit
from gridcare.workorders.models import CommitmentRule

MODELS = [CommitmentRule, WarningLevel, AuthorityLimit, CallbackRule, CalendarDay, OrgUnit]
counts = lambda: {m.__name__: m.objects.count() for m in MODELS}
call_command("migrate", interactive=False, verbosity=0)
before = counts()
OrgUnit.objects.create(code="OLD", name="an earlier demo", kind="company")
Command()._fresh_database(settings.DATABASES["default"])
connections.close_all()
call_command("migrate", interactive=False, verbosity=0)
print(json.dumps({"before": before, "after": counts()}))
"""


@pytest.fixture
def scratch_database_url(tmp_path):
    """A database of the backend under test that this test may destroy."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'demo.sqlite3'}"
        return
    import psycopg

    name = f"{db['NAME']}_fresh"[:63]
    params = {
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "user": db["USER"],
        "password": db["PASSWORD"],
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = f"{db['USER']}:{db['PASSWORD']}@" if db["PASSWORD"] else f"{db['USER']}@"
        yield f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    finally:
        with psycopg.connect(**params) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_demo_fresh_database_keeps_the_seeded_configuration(scratch_database_url, tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", FRESH_DATABASE_SCRIPT],
        cwd=ROOT,
        env=_clean_env(
            GRIDCARE_DATA_DIR=str(tmp_path),
            DATABASE_URL=scratch_database_url,
            DJANGO_SETTINGS_MODULE="config.settings",
        ),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    before, after = result["before"], result["after"]
    for name in ("CommitmentRule", "WarningLevel", "AuthorityLimit", "CallbackRule", "CalendarDay"):
        assert before[name] > 0, name
    assert after == before  # seeded as on a new database; the earlier demo's rows are gone


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_work_under_the_csp_in_chromium(world, live_server):
    """No CSP violation on the sign-in page, intake (pick a customer), the language switch and the API docs."""
    from playwright.sync_api import expect

    from gridcare.core.tests.browser import browser_page, login
    from gridcare.customers.tests.factories import CustomerFactory
    from gridcare.org.choices import Role
    from gridcare.org.tests.factories import StaffFactory, UserFactory

    StaffFactory(
        user=UserFactory(username="zhou", password="pw-123456"), unit=world.county_a, role=Role.HOTLINE_AGENT
    )
    CustomerFactory(customer_no="3100000009", phone="13912345679", area=world.area_a)
    base = live_server.url
    with browser_page() as page:
        violations = []
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        login(page, base, "zhou", "pw-123456")
        page.goto(f"{base}/work-orders/intake/")
        page.fill("#id_q", "13912345679")
        page.press("#id_q", "Enter")
        pick = page.locator("#lookup button", has_text="以此客户受理")
        expect(pick).to_have_count(1)
        page.wait_for_load_state("networkidle")
        pick.click()
        expect(page.locator("#id_customer")).to_have_value("3100000009")
        page.select_option("select[name=language]", "en")  # submits itself (core/gridcare.js)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.goto(f"{base}/api/docs/")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("GridCare API")
        page.goto(f"{base}/api/redoc/")
        expect(page.locator("h1", has_text="GridCare API")).to_be_visible()
        page.wait_for_load_state("networkidle")
    # ReDoc links Google Fonts and its logo on a CDN: the policy (and an offline network) keeps them out.
    external = ("fonts.googleapis.com", "cdn.redoc.ly")
    assert [v for v in violations if not any(host in v for host in external)] == []
