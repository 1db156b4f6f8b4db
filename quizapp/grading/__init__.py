"""Grading hand-worked answers: parsing, tolerance, error carried forward and diagnosis.

``grade(question, answers)`` is pure (no I/O) and serves the command line, the app and batch
grading alike; its result's ``to_dict()`` is the documented ``quizapp check --json`` contract.
"""

from quizapp.grading.compare import read
from quizapp.grading.grade import GradingError, grade, targets
from quizapp.grading.results import CONVENTION, MISTAKE, Diagnosis, GradeResult, PartResult

__all__ = [
    "CONVENTION", "MISTAKE", "Diagnosis", "GradeResult", "GradingError", "PartResult", "grade", "read", "targets",
]
