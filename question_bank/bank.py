"""The bank: the built-in templates plus any folders a TA adds, by id and by topic.

Extra folders come from ``--bank PATH`` (repeatable; passed here as ``extra_paths``) and from the
``QUIZAPP_BANK`` environment variable (paths separated by ``os.pathsep``). Every ``*.yaml`` /
``*.yml`` file below a folder is one template. A TA's template needs no code change: it is just
another file. Two templates with one id are an error naming both files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from question_bank.loader import TemplateError, load_yaml_file
from question_bank.question import Question, instantiate
from question_bank.reader import parse_template
from question_bank.render import value_text
from question_bank.sampler import draw_params, rng_for
from question_bank.schema import Template

BUILTIN = Path(__file__).resolve().parent / "templates"
ENV_VAR = "QUIZAPP_BANK"


def template_files(path: str | Path) -> list[Path]:
    """The template files under ``path`` (or ``path`` itself), in a stable order."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise TemplateError("no such file or folder", str(path))
    return sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_template(path: str | Path) -> Template:
    return parse_template(load_yaml_file(path), str(path))


def env_paths(environ: Mapping[str, str] | None = None) -> list[str]:
    value = (os.environ if environ is None else environ).get(ENV_VAR, "")
    return [p for p in value.split(os.pathsep) if p.strip()]


def bank_paths(
    extra_paths: Iterable[str | Path] = (), environ: Mapping[str, str] | None = None, builtin: bool = True
) -> list[Path]:
    """The folders a bank is loaded from: built-in first, then ``--bank`` paths, then the env var."""
    paths = [BUILTIN] if builtin else []
    out: list[Path] = []
    # The same folder given twice (--bank X with QUIZAPP_BANK=X) is read once, not reported as
    # every template's duplicate of itself.
    seen: set[Path] = set()
    for path in paths + [Path(p) for p in extra_paths] + [Path(p) for p in env_paths(environ)]:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            out.append(path)
    return out


@dataclass
class Bank:
    templates: dict[str, Template] = field(default_factory=dict)
    errors: list[TemplateError] = field(default_factory=list)  # files left out by skip_broken

    def add(self, template: Template) -> None:
        if template.id in self.templates:
            other = self.templates[template.id]
            raise TemplateError(
                f"duplicate template id {template.id!r}: also defined in {other.source}:{other.line}",
                template.source,
                template.line,
                "id",
            )
        self.templates[template.id] = template

    def __len__(self) -> int:
        return len(self.templates)

    def __contains__(self, template_id: object) -> bool:
        return template_id in self.templates

    def get(self, template_id: str) -> Template:
        try:
            return self.templates[template_id]
        except KeyError:
            raise KeyError(f"no template {template_id!r} in the bank") from None

    def ids(self) -> list[str]:
        return sorted(self.templates)

    def topics(self) -> dict[str, list[Template]]:
        """Templates grouped by topic, topics and templates in id order."""
        out: dict[str, list[Template]] = {}
        for tid in self.ids():
            t = self.templates[tid]
            out.setdefault(t.topic, []).append(t)
        return dict(sorted(out.items()))

    def by_topic(self, topic: str) -> list[Template]:
        return self.topics().get(topic, [])

    def instantiate(self, template_id: str, seed: int | str, params: Mapping[str, Any] | None = None) -> Question:
        """The question of ``template_id`` for ``seed``; ``params`` replace sampled parameters.

        Values given by hand that make the question impossible (wrong shapes, a division by zero,
        an overflow to infinity) are a ValueError naming those parameters, never a template error;
        a question with a non-finite number anywhere is never handed out.
        """
        template = self.get(template_id)
        given = dict(params or {})
        with np.errstate(all="ignore"):  # a non-finite result is reported below, not as a NumPy warning
            try:
                question = instantiate(template, seed, given)
            except TemplateError as exc:
                if not given:
                    raise
                raise ValueError(_given_problem(template, seed, given, exc.message)) from None
        bad = nonfinite(question)
        if bad is not None:
            what, value = bad
            if not given:
                raise TemplateError(f"seed {seed} gives {what} = {value_text(value)}, not a finite number",
                                    template.source, template.line, "params")
            raise ValueError(f"with {_listed(given)}, {what} is not a finite number ({value_text(value)}): "
                             f"choose other values for {_names(given)}")
        return question


def _listed(given: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} = {value_text(v)}" for k, v in given.items())


def _names(given: Mapping[str, Any]) -> str:
    names = list(given)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _finite(value: Any) -> bool:
    try:
        return bool(np.all(np.isfinite(np.asarray(value, dtype=np.float64))))
    except (TypeError, ValueError):  # words, choices, ragged lists: nothing numeric to overflow
        return True


def nonfinite(question: Question) -> tuple[str, Any] | None:
    """The first parameter, answer or solution step of ``question`` that is not a finite number, as
    (what it is, its value), or None. JSON, the progress store and exports cannot hold such values."""
    for name, value in question.params.items():
        if not _finite(value):
            return f"the parameter {name}", value
    for name, value in question.expected.items():
        if not _finite(value):
            return f"the answer {name}", value
    for step in question.solution.steps:
        if not _finite(step.value):
            return f"the step {step.name} ({step.label})", step.value
    return None


def _given_problem(template: Template, seed: int | str, given: Mapping[str, Any], reason: str) -> str:
    """Why the values a person set do not make a question, blaming those values (not the template)."""
    try:
        drawn = draw_params(template, rng_for(template.id, seed), given)
    except (TemplateError, ValueError, TypeError, ArithmeticError):
        drawn = {}
    derived = next((p for p in template.params if p.kind == "derived" and p.name in drawn
                    and not _finite(drawn[p.name])), None)
    if derived is not None:
        return (f"with {_listed(given)}, {derived.name} = {derived.expr_text} is "
                f"{value_text(drawn[derived.name])}, not a finite number: choose other values for {_names(given)}")
    reason = re.sub(r"^solving '[^']*' failed: ", "", reason)
    return f"the values you set ({_listed(given)}) do not fit this question: {reason}"


def load_bank(
    extra_paths: Iterable[str | Path] = (),
    environ: Mapping[str, str] | None = None,
    builtin: bool = True,
    skip_broken: bool | None = None,
) -> Bank:
    """Built-in templates plus ``extra_paths`` and ``$QUIZAPP_BANK``.

    A broken file (or duplicate id) in an added folder is left out and its error kept in
    ``bank.errors``, so one bad file in a shared folder does not stop the app or every command
    (callers report the errors; ``quizapp lint`` explains them). ``skip_broken=False`` raises the
    first TemplateError instead; ``True`` also skips broken built-in files. A broken built-in
    template is a bug in quizapp and raises by default.
    """
    bank = Bank()
    seen: set[Path] = set()
    for folder in bank_paths(extra_paths, environ, builtin):
        skip = (folder != BUILTIN) if skip_broken is None else skip_broken
        try:
            files = template_files(folder)
        except TemplateError as exc:
            if not skip:
                raise
            bank.errors.append(exc)
            continue
        for path in files:
            if path.resolve() in seen:  # a file inside two of the folders given
                continue
            seen.add(path.resolve())
            try:
                bank.add(load_template(path))
            except TemplateError as exc:
                if not skip:
                    raise
                bank.errors.append(exc)
    return bank
