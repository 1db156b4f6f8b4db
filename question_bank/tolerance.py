"""When two answers to a part count as the same (../shared/conventions.md, "Numeric answers").

A number is accepted when |a - ref| ≤ max(abs_tol, rel_tol·|ref|), entry by entry for vectors and
matrices; labels and choices must be equal. The lint uses the same rule to check that every
misconception really gives a different answer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from question_bank.schema import NUMERIC_TYPES, PartSpec


def close(part: PartSpec, value: Any, ref: Any) -> bool:
    """Whether ``value`` is an acceptable answer to ``part`` whose right answer is ``ref``."""
    if part.type in NUMERIC_TYPES:
        a = np.asarray(value, dtype=np.float64)
        b = np.asarray(ref, dtype=np.float64)
        if a.shape != b.shape:
            return False
        limit = np.maximum(part.abs_tol, part.rel_tol * np.abs(b))
        return bool(np.all(np.abs(a - b) <= limit))
    if part.type == "integer":
        return int(value) == int(ref)
    return str(value).strip() == str(ref).strip()


def is_finite(part: PartSpec, value: Any) -> bool:
    if part.type in NUMERIC_TYPES:
        return bool(np.all(np.isfinite(np.asarray(value, dtype=np.float64))))
    return True
