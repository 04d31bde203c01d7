"""The migrated, empty PostgreSQL database that copies start from (`make bench`'s portfolios,
each test worker's database), known by what migrating depends on: every migration file of the
project and the locked requirements (Django's and the third-party apps' own migrations). No
Django import: bin/bench reads it before any settings exist."""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def migrations_key(root: Path = ROOT) -> str:
    """10 hex digits that change whenever a migration or a locked requirement does."""
    digest = hashlib.sha256((root / "requirements.lock").read_bytes())
    for path in sorted(root.glob("*/migrations/*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]
