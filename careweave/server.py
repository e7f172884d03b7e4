"""Serve the WSGI app with waitress (production-grade, pure Python) and static files via WhiteNoise."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command


def serve(host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> None:
    from waitress import serve as waitress_serve
    from whitenoise import WhiteNoise

    from careweave.wsgi import application

    call_command("collectstatic", interactive=False, verbosity=0)
    app = WhiteNoise(application, root=str(settings.STATIC_ROOT), prefix=settings.STATIC_URL)
    print(f"Careweave is running on http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    waitress_serve(app, host=host, port=port, threads=threads, ident="careweave")
