"""Independent oracles for every computed template: honest hand work and the classic mistakes.

``ORACLES[template_id]`` holds ``honest(params, r)``, ``mistakes(params)`` and ``givens(params)``
(see :mod:`tests.oracles.base`). Nothing here imports ``solvers``: the numbers come from the
formulas in conventions.md, written in plain Python, NumPy and SymPy.
"""

import re
from pathlib import Path

from tests.oracles import (
    backprop,
    calculus,
    classic,
    deltas,
    knn_k,
    loss_details,
    losses,
    normalization,
    optimizers,
    regularization,
    schedules,
    symbolic,
)
from tests.oracles.base import CONVENTION, MISTAKE, ORACLES, Oracle, identity, round_sig

__all__ = ["COMPUTED", "CONVENTION", "MISTAKE", "ORACLES", "Oracle", "identity", "round_sig"]
# importing the modules registers their oracles
_MODULES = (
    backprop, calculus, classic, deltas, knn_k, loss_details, losses, normalization, optimizers, regularization,
    schedules, symbolic,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "question_bank" / "templates"


def computed_template_ids() -> list[str]:
    """Every template with a ``solver:`` (a computed answer), found by reading the YAML files."""
    ids = []
    for path in sorted(TEMPLATES.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"^solver:", text, re.M):
            ids.append(re.search(r"^id:\s*(\S+)", text, re.M).group(1))
    return ids


COMPUTED = computed_template_ids()
