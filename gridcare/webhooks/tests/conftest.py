"""A real HTTP receiver on 127.0.0.1 (a thread), answering as each test scripts it, and
helpers for subscriptions with the private-address guard opened for it."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gridcare.org.choices import Role
from gridcare.webhooks.models import WebhookSetting


class Receiver:
    def __init__(self):
        self.requests: list[tuple[dict, bytes]] = []
        self.script: list[tuple[int, float]] = []  # (status, seconds to hang first)
        self.default = (200, 0.0)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with receiver.lock:
                    receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    status, hang = receiver.script.pop(0) if receiver.script else receiver.default
                if hang:
                    time.sleep(hang)
                try:
                    self.send_response(status)
                    self.end_headers()
                    self.wfile.write(b"ok" if status < 300 else b"boom " * 200)
                except OSError:
                    pass  # the client gave up (timeout)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def set_setting(key: str, value: int) -> None:
    WebhookSetting.objects.update_or_create(key=key, defaults={"value": value})


@pytest.fixture
def allow_local(db):
    set_setting(WebhookSetting.ALLOW_PRIVATE_ADDRESSES, 1)


@pytest.fixture
def admin(world):
    return world.staff(Role.ADMIN, world.company)
