"""``quizapp lint``: check templates before a student meets them.

For every template file: the schema (loading reports ``file:line: field: problem``), the solver and
every misconception's solver exist and receive the arguments they require, and then 200 seeds
each sample, solve and render without error (every answer finite, every placeholder of the prompt,
conventions, part labels and hints filled).

Separation (conventions.md, "Numeric answers"): instantiating a seed already draws again until no
band holds a named mistake's answer, the unchanged given value, the previous state or zero; a
template where no draw separates fails here, naming the seed and the part.

Misconceptions must be able to fire. The rule: over the seeds where a misconception applies (its
solver accepts the arguments; for example "derivative of the input" applies to sigmoid and tanh
only), its answer must have the part's shape and differ from the right one on at least
:data:`MIN_DISTINCT_SHARE` (80 %) of them, and it must apply to at least one seed. Otherwise a
student who made that mistake would too often be told they were right, or the diagnosis would
never fire. A template can make it 100 % with ``require_distinct``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from question_bank import conventions, solving
from question_bank.bank import BUILTIN, load_template, template_files
from question_bank.loader import TemplateError
from question_bank.question import instantiate
from question_bank.schema import Template
from solvers import registry

SEEDS = 500
MIN_DISTINCT_SHARE = 0.8


@dataclass(frozen=True)
class LintIssue:
    file: str
    line: int
    field: str
    message: str
    template: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    @classmethod
    def from_error(cls, exc: TemplateError, template: str = "") -> LintIssue:
        return cls(exc.file, exc.line, exc.field, exc.message, template)


def lint(paths: Iterable[str | Path] | None = None, seeds: int = SEEDS) -> list[LintIssue]:
    """Every problem found in the templates under ``paths`` (the built-in bank when None)."""
    issues: list[LintIssue] = []
    seen: dict[str, Template] = {}
    for folder in [BUILTIN] if paths is None else [Path(p) for p in paths]:
        try:
            files = template_files(folder)
        except TemplateError as exc:
            issues.append(LintIssue.from_error(exc))
            continue
        for path in files:
            try:
                template = load_template(path)
            except TemplateError as exc:
                issues.append(LintIssue.from_error(exc))
                continue
            if template.id in seen:
                other = seen[template.id]
                issues.append(
                    _issue(
                        template,
                        "id",
                        f"duplicate template id {template.id!r}: also defined in {other.source}:{other.line}",
                    )
                )
                continue
            seen[template.id] = template
            issues += lint_template(template, seeds)
    return issues


def lint_template(template: Template, seeds: int = SEEDS) -> list[LintIssue]:
    """Problems with one loaded template: solver calls first, then ``seeds`` instantiations."""
    issues = _solver_issues(template) + _convention_issues(template)
    if issues:
        return issues  # sampling would only repeat the same failure for every seed
    return _seed_issues(template, seeds)


def _convention_issues(template: Template) -> list[LintIssue]:
    """conventions.md's alternatives for this template's computation must all be recognised."""
    return [_issue(template, "misconceptions", f"conventions.md lists the alternative {c.id!r} for this "
                   f"computation, and the template does not recognise it: add '- convention: {c.id}'")
            for c in conventions.unwired(template)]


def _issue(template: Template, field: str, message: str, line: int = 0) -> LintIssue:
    top = field.split(".")[0].split("[")[0]
    return LintIssue(template.source, line or template.line_of(top), field, message, template.id)


def _solver_issues(template: Template) -> list[LintIssue]:
    if template.solver is None:
        return []
    known = set(registry.names())
    issues = []
    calls = [("solver", template.solver.name, template.solver.args, {}, template.solver.line)]
    for i, m in enumerate(template.misconceptions):
        calls.append((f"misconceptions[{i}]", m.solver or template.solver.name, template.solver.args, m.args, m.line))
    for field, name, args, extra, line in calls:
        if name not in known:
            if field == "solver" or name != template.solver.name:  # report each unknown name once
                issues.append(_issue(template, field, f"unknown solver {name!r}", line))
            continue
        accepted = solving._accepted(name)
        supplied = {p.name for p in template.params} | set(args) | set(extra)
        missing = [a for a in solving.required_args(name) if a not in supplied]
        given = dict.fromkeys([*args, *extra])
        unknown = [] if solving.takes_any(name) else [a for a in given if a not in accepted]
        if missing:
            issues.append(
                _issue(
                    template, field, f"solver {name!r} needs {', '.join(missing)}: add a parameter or an argument", line
                )
            )
        if unknown:
            issues.append(_issue(template, field, f"solver {name!r} takes no argument {', '.join(unknown)}", line))
    return issues


def _seed_issues(template: Template, seeds: int) -> list[LintIssue]:
    applies = {m.id: 0 for m in template.misconceptions}
    distinct = dict(applies)
    errors: dict[str, str] = {}
    for seed in range(seeds):
        try:
            q = instantiate(template, seed)
            q.text()
            q.hints()
            results = q.misconception_answers()
        except TemplateError as exc:
            return [LintIssue(exc.file, exc.line, exc.field, f"seed {seed}: {exc.message}", template.id)]
        except (ValueError, TypeError, KeyError, IndexError, ZeroDivisionError) as exc:
            return [_issue(template, "solver", f"seed {seed}: {type(exc).__name__}: {exc}")]
        for mid, res in results.items():
            if res.error is not None:
                errors.setdefault(mid, res.error)
                continue
            applies[mid] += 1
            distinct[mid] += res.recognisable
    return [
        issue
        for m in template.misconceptions
        if (
            issue := _misconception_issue(
                template, m.id, m.line, applies[m.id], distinct[m.id], errors.get(m.id), seeds
            )
        )
        is not None
    ]


def _misconception_issue(
    template: Template, mid: str, line: int, applies: int, distinct: int, error: str | None, seeds: int
) -> LintIssue | None:
    index = next(i for i, m in enumerate(template.misconceptions) if m.id == mid)
    field = f"misconceptions[{index}]"
    if applies == 0:
        return _issue(template, field, f"{mid!r} never applies in {seeds} seeds (the solver says: {error})", line)
    if distinct == 0:
        return _issue(template, field, f"{mid!r} can never fire: in {applies} seeds its answer never has the "
                      "part's shape or always equals the right one", line)
    if distinct < MIN_DISTINCT_SHARE * applies:
        return _issue(
            template,
            field,
            f"{mid!r} gives the right answer (or one of another shape) on "
            f"{applies - distinct} of the {applies} seeds where it applies; "
            f"it must differ on at least {MIN_DISTINCT_SHARE:.0%}",
            line,
        )
    return None
