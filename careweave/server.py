"""Serve the WSGI app on every core: gunicorn worker processes with threads, static files via WhiteNoise.

One waitress process stayed at about one core (the GIL); gunicorn's pre-fork workers use them all
(decision 0023). Waitress remains the fallback where gunicorn cannot run (Windows) or when asked for.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command


def default_workers() -> int:
    """One worker process per core (``CAREWEAVE_WORKERS`` overrides)."""
    configured = os.environ.get("CAREWEAVE_WORKERS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, os.cpu_count() or 1)


def wsgi_app() -> Any:
    """The Django app wrapped in WhiteNoise (static files from ``var/static``, collected first)."""
    from whitenoise import WhiteNoise

    from careweave.wsgi import application

    call_command("collectstatic", interactive=False, verbosity=0)
    return WhiteNoise(application, root=str(settings.STATIC_ROOT), prefix=settings.STATIC_URL)


def start_background_workers() -> list[subprocess.Popen]:
    """Two ``careweave worker`` child processes with the server's settings (database, secrets): one for the
    quick jobs and the schedule (notifications leave within seconds), one for the long ones (bulk exports,
    the population pipeline), so that a long export never holds up a notification."""
    command = [sys.executable, "-m", "careweave", "worker"]
    return [subprocess.Popen([*command, "--exclude-queue", "long"], env=os.environ.copy()),
            subprocess.Popen([*command, "--queue", "long", "--no-scheduler"], env=os.environ.copy())]


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int | None = None, threads: int = 4,
          server: str = "auto", background: bool = True) -> None:
    """Serve until interrupted. ``server`` is ``gunicorn``, ``waitress`` or ``auto`` (gunicorn where it runs);
    ``background`` starts the job worker beside it and stops it with the server."""
    app = wsgi_app()
    background_workers = start_background_workers() if background else []
    try:
        _serve(app, host, port, workers, threads, server)
    finally:
        for worker in background_workers:
            worker.terminate()
        for worker in background_workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()


def _serve(app: Any, host: str, port: int, workers: int | None, threads: int, server: str) -> None:
    workers = workers or default_workers()
    use_gunicorn = server == "gunicorn" or (server == "auto" and os.name == "posix")
    print(f"Careweave is running on http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    if use_gunicorn:
        _gunicorn(app, host, port, workers, threads)
    else:
        from waitress import serve as waitress_serve

        waitress_serve(app, host=host, port=port, threads=workers * threads, ident="careweave")


def _gunicorn(app: Any, host: str, port: int, workers: int, threads: int) -> None:
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    # Connections opened by migrate/collectstatic must not be shared by the forked workers.
    connections.close_all()

    class Careweave(BaseApplication):
        def load_config(self) -> None:
            options = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "timeout": 120,
                "graceful_timeout": 20,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "careweave",
                "forwarded_allow_ips": os.environ.get("CAREWEAVE_FORWARDED_ALLOW_IPS", "127.0.0.1"),
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    sys.argv = sys.argv[:1]  # gunicorn reads its own options from argv; ours are parsed already
    Careweave().run()
