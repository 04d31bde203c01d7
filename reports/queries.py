"""Reads for the deep-dive pack page."""

from __future__ import annotations

from typing import Any

from portfolio.models import Programme

from .models import DeepDivePack

PACKS_SHOWN = 10


def deep_dive_page(programme: Programme) -> dict[str, Any]:
    """The programme's newest packs (bounded), the one running if any, and the newest built."""
    packs = list(
        DeepDivePack.objects.filter(programme=programme)
        .select_related("requested_by")
        .order_by("-number")[:PACKS_SHOWN]
    )
    return {
        "programme": programme,
        "packs": packs,
        "running": next((p for p in packs if p.is_running), None),
        "latest": packs[0] if packs else None,
        "newest_built": next((p for p in packs if p.has_file), None),
    }
