"""gunicorn hooks for the embedded default: the arbiter also runs `gridcare worker` as a child."""

import subprocess
import sys

_worker: subprocess.Popen | None = None


def when_ready(server):
    global _worker
    _worker = subprocess.Popen([sys.executable, "-m", "gridcare.cli", "worker"])
    server.log.info("started embedded job worker pid %s", _worker.pid)


def on_exit(server):
    if _worker and _worker.poll() is None:
        _worker.terminate()
        try:
            _worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _worker.kill()
