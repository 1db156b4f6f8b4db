"""Seeds a student can read out and type back."""

from __future__ import annotations

import secrets

SEED_RANGE = 1_000_000  # short enough to read out to a study group


def new_seed() -> int:
    return secrets.randbelow(SEED_RANGE)
