"""Question templates (YAML), a seeded sampler, rendering, and the bank that holds them."""

from question_bank.bank import Bank, load_bank
from question_bank.loader import TemplateError
from question_bank.question import MisconceptionAnswer, Question, instantiate
from question_bank.schema import PartSpec, Template

__all__ = [
    "Bank",
    "MisconceptionAnswer",
    "PartSpec",
    "Question",
    "Template",
    "TemplateError",
    "instantiate",
    "load_bank",
]
