"""``careweave manage vapid_keys``: make the VAPID key pair web push signs with (py-vapid)."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from py_vapid import Vapid01, b64urlencode


class Command(BaseCommand):
    help = "Generate a VAPID key pair for web push: the private key as a PEM file, the public key to configure."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--out", default=str(Path(settings.VAR_DIR) / "vapid_private.pem"),
                            help="where to write the private key (PEM); default var/vapid_private.pem")
        parser.add_argument("--force", action="store_true", help="replace an existing key (devices must opt in again)")

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["out"]))
        if path.exists() and not options["force"]:
            raise CommandError(f"{path} exists; use --force to replace it (subscribed devices must opt in again)")
        path.parent.mkdir(parents=True, exist_ok=True)
        vapid = Vapid01()
        vapid.generate_keys()
        vapid.save_key(str(path))
        path.chmod(0o600)
        public = b64urlencode(vapid.public_key.public_bytes(serialization.Encoding.X962,
                                                            serialization.PublicFormat.UncompressedPoint))
        self.stdout.write(f"CAREWEAVE_VAPID_PRIVATE_KEY={path}\nCAREWEAVE_VAPID_PUBLIC_KEY={public}\n")
