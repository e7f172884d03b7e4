"""The migrations describe the models.

The suite builds its test databases straight from the models (``--no-migrations`` in pyproject.toml, which also
hides the migrations from this process); this test asks a fresh ``careweave manage makemigrations --check`` and
fails when a model changed without its migration. The CLI and backup tests apply the migrations for real
(``careweave demo`` on a fresh SQLite file, and on a fresh PostgreSQL database in CI).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_every_model_change_has_its_migration(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "careweave", "manage", "makemigrations", "--check", "--dry-run"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "CAREWEAVE_VAR": str(tmp_path / "var"), "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, f"models changed without a migration:\n{result.stdout}{result.stderr}"
