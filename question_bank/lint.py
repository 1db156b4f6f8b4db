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

What a student or TA reads shows no internal name (issue 13): the title, prompt, stem, conventions,
part labels, options (text and ``why``), pool statements (text and ``why``), hints, misconception
messages (a wired convention's from conventions.yaml) and worked step labels, filled for a few seeds,
must not hold a code-like part, parameter or step name (one with ``_`` or a digit suffix: ``grad_w0``,
``dW1``, ``new_point``), a seed-file number (``seed 003``, ``seeds 000 and 002``) or float noise (a
number with more than 10 significant digits). Nor may the author's words outside ``$...$`` hold
TeX-like maths a renderer would print as typed (``Σ_{j≠y}``, ``e^(-z)``, ``s_j``, ``\\sum``), or maths
markup that does not parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from question_bank import conventions, render, sampler, solving
from question_bank.bank import BUILTIN, load_template, template_files
from question_bank.loader import TemplateError
from question_bank.question import instantiate
from question_bank.schema import Misconception, PartSpec, Template
from solvers import display, registry

SEEDS = 500
MIN_DISTINCT_SHARE = 0.8
MIN_VARIANTS = 20  # a concept's pool must give at least this many distinct questions over the seeds
MAX_LONGEST_SHARE = 0.5  # the right option may be the longest in at most half the questions asked
SHOWN_SEEDS = 5  # seeds whose shown text is read for internal names (names do not depend on the draw)
MAX_SIGNIFICANT = 10  # more significant digits than this in shown text is float noise
_CODE_NAME = re.compile(r"_|[A-Za-z]\d+$")  # grad_w0, new_point, dW1, w0
_SEED_NUMBER = re.compile(r"\bseeds?\s*#?\s*\d+", re.IGNORECASE)  # seed 003, seeds 000 and 002, seed 003's
_PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*(?:\[-?\d+\])*(?::[^{}]*)?\}")
_DECIMAL = re.compile(r"\d+\.\d+(?:[eE][-+]?\d+)?")


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
    # a wired convention's message is read in every template that wires it: report it once
    unique: dict[tuple[str, int, str, str], LintIssue] = {}
    for issue in issues:
        unique.setdefault((issue.file, issue.line, issue.field, issue.message), issue)
    return list(unique.values())


def lint_template(template: Template, seeds: int = SEEDS) -> list[LintIssue]:
    """Problems with one loaded template: solver calls first, then ``seeds`` instantiations."""
    issues = _solver_issues(template) + _convention_issues(template)
    if issues:
        return issues  # sampling would only repeat the same failure for every seed
    issues = _seed_issues(template, seeds) + _concept_issues(template, seeds)
    # Step labels are written by the solvers, and the graph solvers still name inner nodes n1, n2 and
    # W2 in them (solvers/backprop.py): they are checked once those labels are written as n₁ and W₂.
    return issues or shown_name_issues(template, min(seeds, SHOWN_SEEDS))


def shown_name_issues(template: Template, seeds: int = SHOWN_SEEDS, steps: bool = True) -> list[LintIssue]:
    """Every text a student or TA reads, as written and as filled for ``seeds`` seeds, checked for an
    internal name, a seed-file number, float noise and maths a renderer would print as typed; one issue
    per field and problem (the first seed showing it)."""
    found: dict[tuple[str, str], LintIssue] = {}

    def report(field: str, problem: str, at: int, where: str = "", seed: int | None = None) -> None:
        message = problem if seed is None else f"{problem} (seed {seed})"
        if where:  # a wired convention's message is written in conventions.yaml
            found.setdefault((field, problem), LintIssue(where, at, field, message, template.id))
        else:
            found.setdefault((field, problem), _issue(template, field, message, at))

    # What the author wrote, independent of the draw: raw maths everywhere; names, seed numbers and float
    # noise in the texts that are shown as written (the filled ones are read below, per seed)
    names = {p.name for p in template.parts} | {p.name for p in template.params}
    written_code = sorted(n for n in names if _CODE_NAME.search(n))
    for field, at, raw, where, filled in _written_texts(template):
        for problem in _written_problems(raw, written_code, filled):
            report(field, problem, at, where)
    for seed in range(seeds):
        q = instantiate(template, seed)
        step_names = {s.name for s in q.solution.steps}
        code = sorted(n for n in names | step_names if _CODE_NAME.search(n))
        # (field, line, what the author wrote, what the student reads, file when not the template)
        texts = [("prompt", template.line_of("prompt"), template.prompt, q.prompt, "")]
        texts += [(f"conventions[{i}]", template.line_of("conventions"), raw, c, "")
                  for i, (raw, c) in enumerate(zip(template.conventions, q.conventions))]
        texts += [(f"parts.{p.name}.label", p.line, p.label or p.name, q.label(p), "") for p in template.parts
                  if p.label or len(template.parts) > 1]  # an unlabelled part of several shows its name
        texts += [(f"hints[{i}]", template.line_of("hints"), raw, h, "")
                  for i, (raw, h) in enumerate(zip(template.hints, q.hints()))]
        for i, m in enumerate(template.misconceptions):
            field, at, where = _message_place(template, i, m)
            texts.append((field, at, m.message, _filled_message(q, m), where))
        line = template.solver.line if template.solver else template.line
        texts += [(f"solver: step {s.name!r} label", line, s.label, s.label, "") for s in q.solution.steps if steps]
        for field, at, raw, shown, where in texts:
            prose = _prose(raw)
            problems = [_internal_name(n) for n in code if _names(prose, n)] + _shown_problems(shown)
            for problem in problems:
                report(field, problem, at, where, seed)
    return list(found.values())


def _written_texts(template: Template) -> list[tuple[str, int, str, str, bool]]:
    """(field, line, text as written, file when not the template, read filled per seed) for every text a
    student or TA reads."""
    texts = [("title", template.line_of("title"), template.title, "", False),
             ("prompt", template.line_of("prompt"), template.prompt, "", True)]
    if template.stem:
        texts.append(("stem", template.line_of("stem"), template.stem, "", False))
    texts += [(f"conventions[{i}]", template.line_of("conventions"), c, "", True)
              for i, c in enumerate(template.conventions)]
    for p in template.parts:
        if p.label:
            texts.append((f"parts.{p.name}.label", p.line, p.label, "", True))
        for i, o in enumerate(p.options):
            texts += [(f"parts.{p.name}.options[{i}].text", o.line, o.text, "", False),
                      (f"parts.{p.name}.options[{i}].why", o.line, o.why, "", False)]
    for i, s in enumerate(template.pool):
        texts += [(f"pool[{i}].text", s.line, s.text, "", False), (f"pool[{i}].why", s.line, s.why, "", False)]
    texts += [(f"hints[{i}]", template.line_of("hints"), h, "", True) for i, h in enumerate(template.hints)]
    for i, m in enumerate(template.misconceptions):
        field, at, where = _message_place(template, i, m)
        texts.append((field, at, m.message, where, True))
    return [t for t in texts if t[2]]


def _written_problems(raw: str, code_names: list[str], filled: bool) -> list[str]:
    """Raw maths or broken markup in the author's words; and in a text shown as written (``filled`` false:
    options, pool statements, the title), a code name, a seed number or float noise."""
    problems = []
    if not filled:
        prose = _prose(raw)
        problems += [_internal_name(n) for n in code_names if _names(prose, n)] + _shown_problems(raw)
    raw_maths = _raw_maths(raw, code_names)
    if raw_maths:
        problems.append(f"prints raw maths {', '.join(map(repr, raw_maths))} as typed: write it in the maths "
                        "markup between dollars ($s_j$, $\\sum_{j \\neq y}$, $e^{-z}$)")
    for is_math, piece in display.split_maths(raw):
        if is_math:
            try:
                display.parse(render._MATH_PLACEHOLDER.sub("x", piece))
            except display.MarkupError as exc:
                problems.append(str(exc))
    return problems


def _message_place(template: Template, index: int, m: Misconception) -> tuple[str, int, str]:
    """Where a misconception's message is written: the template, or conventions.yaml for a wired convention."""
    wired = conventions.CONVENTIONS.get(m.id)
    if m.kind == "convention" and wired is not None and wired.message == m.message:
        return f"{m.id}.message", conventions.line_of(m.id), str(conventions.REGISTRY)
    return f"misconceptions[{index}].message", m.line, ""


def _filled_message(q: object, m: Misconception) -> str:
    try:
        return q._fill(m.message, "misconceptions")  # type: ignore[attr-defined]
    except TemplateError:  # a message need not name parameters: read it as written
        return m.message


def _prose(text: str) -> str:
    """The words of a template text: ``$...$`` maths is the course's notation (``$W_1$`` reads W₁) and a
    ``{placeholder}`` becomes a value, so neither can show a name."""
    words = "".join(" " if is_math else piece for is_math, piece in display.split_maths(text))
    return _PLACEHOLDER.sub(" ", words)


def _names(prose: str, name: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", prose) is not None


def _internal_name(name: str) -> str:
    return f"shows the internal name {name!r}: write it in the course's notation (maths: $...$)"


# TeX-like maths in prose that every renderer prints as typed (LaTeX escapes it, the terminal keeps it):
# a group after _ or ^ (Σ_{j≠y}, e^(-z), p_{label}, ^{t}), a power (e^a, x^2), a subscript of a
# one-letter symbol (s_j, ε_min, σ²_run, not a code word such as multi_margin_loss) and a TeX command
# (\sum). Matched in the prose with maths blanked and placeholders masked (\0), so positions are the
# author's.
_RAW_MATHS = re.compile(r"[_^][{(\0]|(?<=[\w)\]\0])\^(?=[-+−\w])|(?<![^\W_])[^\W\d_][²³ᵀ']?_(?=[^\W_])"
                        r"|\\[A-Za-z]+")


def _raw_maths(text: str, code_names: list[str]) -> list[str]:
    """The words of ``text`` holding raw maths (outside ``$...$``), in order, each once; a word that is
    an internal name is reported as one already."""
    masked = "".join(" " * (len(piece) + 2) if is_math else piece for is_math, piece in _split_exact(text))
    masked = re.sub(r"\{\{|\}\}", "  ", masked)
    masked = _PLACEHOLDER.sub(lambda m: "\0" * len(m.group(0)), masked)
    words: list[str] = []
    for m in _RAW_MATHS.finditer(masked):
        start = max(masked.rfind(c, 0, m.start()) for c in " \n\t") + 1
        ends = [i for i in (masked.find(c, m.end()) for c in " \n\t") if i >= 0]
        word = text[start:min(ends, default=len(text))].strip(".,;:!?\"'")
        if re.fullmatch(r"\w+", word) and word in code_names:
            continue
        if word not in words:
            words.append(word if len(word) <= 30 else word[:29] + "…")
    return words


def _split_exact(text: str) -> list[tuple[bool, str]]:
    """split_maths, checked to give back ``text`` length for length (maths loses its two dollars)."""
    pieces = list(display.split_maths(text))
    assert sum(len(p) + (2 if m else 0) for m, p in pieces) == len(text)
    return pieces


def _shown_problems(shown: str) -> list[str]:
    """What a student should never read in filled text: a seed number or float noise."""
    problems = [f"shows a seed number {m.group(0)!r}" for m in _SEED_NUMBER.finditer(shown)]
    problems += [f"shows float noise {m.group(0)!r}" for m in _DECIMAL.finditer(shown)
                 if len(re.split("[eE]", m.group(0))[0].replace(".", "").lstrip("0")) > MAX_SIGNIFICANT]
    return problems


def _convention_issues(template: Template) -> list[LintIssue]:
    """conventions.md's alternatives for this template's computation must all be recognised."""
    return [_issue(template, "misconceptions", f"conventions.md lists the alternative {c.id!r} for this "
                   f"computation, and the template does not recognise it: add '- convention: {c.id}'")
            for c in conventions.unwired(template)]


def _issue(template: Template, field: str, message: str, line: int = 0) -> LintIssue:
    top = field.split(".")[0].split("[")[0]
    return LintIssue(template.source, line or template.line_of(top), field, message, template.id)


def _concept_issues(template: Template, seeds: int) -> list[LintIssue]:
    """A concept's pool must vary the question (review and exams would repeat it otherwise), and the
    right option must not give itself away by being the longest, most qualified one (issue 16)."""
    if not template.is_concept:
        return []
    variants, picks, longest = set(), 0, 0
    for seed in range(seeds):
        variant = sampler.concept_variant(template, seed)
        variants.add((variant.prompt, tuple((p.label, frozenset(o.id for o in p.options)) for p in variant.parts)))
        for part in variant.parts:
            if len(part.options) >= 3:  # True/False has nothing to give away by length
                picks += 1
                longest += _right_is_longest(part)
    field = "pool" if template.pool else "parts"
    issues = []
    # a few seeds cannot show variety (quizapp lint --seeds 5 is a quick look): judge it over 100 or more
    if template.pool and seeds >= 100 and len(variants) < MIN_VARIANTS:
        issues.append(_issue(template, "pool", f"{len(variants)} distinct questions in {seeds} seeds; a pool must "
                             f"give at least {MIN_VARIANTS}: add statements or forms"))
    if picks >= 10 and longest > MAX_LONGEST_SHARE * picks:
        issues.append(_issue(template, field, f"the right option is the longest in {longest} of {picks} questions "
                             "asked: a student can guess it by its length; shorten it or lengthen the others"))
    return issues


def _right_is_longest(part: PartSpec) -> bool:
    right = part.correct_option()
    return right is not None and all(len(right.text) > len(o.text) for o in part.options if o is not right)


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
