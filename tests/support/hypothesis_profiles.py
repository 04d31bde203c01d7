"""Hypothesis example counts per profile, chosen with HYPOTHESIS_PROFILE (tests/conftest.py
registers the profiles with hypothesis).

`ci` is the full count (what .ci/run sets, and what the README's figures quote); `dev`, the
default, a quick pass for a developer's run of the security tests.
"""

import os
from typing import NamedTuple

import pytest


class Examples(NamedTuple):
    form: int  # hostile posts per registered form (tests/security/hostile.py)
    grid: int  # hostile posts per registered grid (tests/security/grids.py)


PROFILES = {
    "ci": Examples(form=15, grid=40),
    "dev": Examples(form=4, grid=10),
}

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "") or "dev"
if PROFILE not in PROFILES:
    raise pytest.UsageError(
        f"HYPOTHESIS_PROFILE must be one of {', '.join(PROFILES)}; got {PROFILE!r}."
    )
EXAMPLES = PROFILES[PROFILE]
