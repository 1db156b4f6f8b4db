"""Reference solvers on a small NumPy autograd core. No UI, no I/O; SymPy only where needed."""

from solvers.steps import Recorder, Solution, Step
from solvers.tensor import Tensor

__all__ = ["Recorder", "Solution", "Step", "Tensor"]
