"""A small, safe expression language: student answers, ``quizapp grad "EXPR"`` and symbolic parts.

User text is never evaluated as code. A hand-written tokenizer feeds a recursive-descent parser
that builds frozen dataclass nodes; evaluation is float math over those nodes. Every limit
below exists so that hostile input fails fast with an :class:`ExprError` instead of hanging.

Grammar (loosest binding first)::

    expression := term (("+" | "-") term)*
    term       := signed (("*" | "/") signed | <implicit> power)*
    signed     := ("-" | "+") signed | power          # -2^2 = -(2^2) = -4
    power      := postfix ("^" exponent)?             # right-associative: 2^3^2 = 2^9
    exponent   := ("-" | "+") exponent | power        # 2^-3, e^-2
    postfix    := atom ("²" | "³" | other superscripts)*
    atom       := number | constant | variable | "(" expression ")"
                | function "(" args ")" | function atom   # ln 2, sqrt 2, √2, σ(1)

Decisions worth knowing:

* ``**`` means ``^``; ``−`` (U+2212) and ``–`` are minus, ``×``, ``·``, ``⋅`` times, ``÷`` divide;
  ``π`` is pi, ``σ`` sigmoid, ``√`` sqrt; ``log`` and ``ln`` are both the natural log.
* Implicit multiplication needs the two parts to touch (no space) and the left part to be a
  number, a constant or a parenthesised group: ``2x``, ``2(3+1)``, ``(a+b)(a-b)``, ``2pi``; a
  declared variable before ``(`` also multiplies (``2x(x+1)`` when ``variables`` lists x). Anything
  else that could be read two ways is refused with a message: ``f(x)`` when any name is allowed
  (a function was probably meant), ``2^3x`` (2^(3x) or 8x?), ``1/2x`` (1/(2x) or x/2?),
  ``ln 2^3`` ((ln 2)^3 or ln 8?).
* ``3e`` is an error: after a number, ``e`` is only e-notation (``3e2`` = 300, ``3e-2`` = 0.03);
  write ``3*e`` or ``3e0``. ``3E`` likewise.
* A name made of a function and digits (``ln2``) is one name, not ``ln 2``; the error says so.
* A number literal is ASCII digits with an optional ``.`` and exponent; a comma is never a
  decimal separator (it separates arguments and vector entries).
* Constant sub-expressions are computed while parsing, so ``9^9^9^9``, ``1/0`` and ``1e999999``
  are refused by :func:`parse` itself, with the position of the operator or number at fault.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

MAX_LENGTH = 2000  # characters of input
MAX_NUMBER_CHARS = 40  # characters of one number literal
MAX_NESTING = 40  # parentheses, signs, exponents and calls inside each other (parser recursion)
MAX_DEPTH = 120  # depth of the finished tree, which also bounds evaluation's recursion
MAX_EXPONENT = 10_000  # larger powers are refused before anything (SymPy in particular) computes them
# An exact power in to_sympy may not produce numbers larger than this many bits.
_MAX_EXACT_BITS = 1_000_000

FUNCTIONS: dict[str, int] = {
    "exp": 1, "log": 1, "log10": 1, "log2": 1, "sqrt": 1, "sigmoid": 1, "tanh": 1, "relu": 1,
    "abs": 1, "max": 2, "min": 2, "sin": 1, "cos": 1,
}
ALIASES: dict[str, str] = {"ln": "log"}
CONSTANTS: dict[str, float] = {"e": math.e, "pi": math.pi}
RESERVED = frozenset(FUNCTIONS) | frozenset(ALIASES) | frozenset(CONSTANTS)

_DIGITS = "0123456789"
_OPERATORS = {
    "+": "+", "-": "-", "\u2212": "-", "\u2013": "-", "*": "*", "\u00d7": "*", "\u00b7": "*",
    "\u22c5": "*", "\u2219": "*", "\u2217": "*", "/": "/", "\u00f7": "/", "\u2215": "/", "^": "^",
    "(": "(", ")": ")", "[": "[", "]": "]", ",": ",", ";": ";",
}
_SYMBOL_NAMES = {"\u03c0": "pi", "\u03c3": "sigmoid", "\u221a": "sqrt"}  # π σ √
_SUPERSCRIPTS = {c: d for d, c in enumerate("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")}
_SUPER_SIGNS = {"\u207b": -1, "\u207a": 1}  # ⁻ ⁺
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"  # zero-width characters pasted along with text


class ExprError(ValueError):
    """Bad expression text: a message, and where (0-based ``position`` into ``text``) when known."""

    def __init__(self, message: str, position: int | None = None, text: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.text = text

    def with_text(self, text: str) -> ExprError:
        """The same error (and class), shown against ``text``."""
        return type(self)(self.message, self.position, text)

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        if self.text is None:
            return f"{self.message} (at character {self.position + 1})"
        line, column = _excerpt(self.text, self.position)
        where = f" (line {self.text.count(chr(10), 0, self.position) + 1})" if "\n" in self.text else ""
        return f"{self.message}{where}\n  {line}\n  {' ' * column}^"


def _excerpt(text: str, pos: int, width: int = 72) -> tuple[str, int]:
    """The line of ``text`` holding ``pos`` (windowed when long, made printable) and the caret column."""
    pos = max(0, min(pos, len(text)))
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start : len(text) if end < 0 else end]
    col = pos - start
    if len(line) > width:
        lo = max(0, min(col - width // 2, len(line) - width))
        head = "…" if lo > 0 else ""
        tail = "…" if lo + width < len(line) else ""
        line, col = head + line[lo : lo + width] + tail, col - lo + len(head)
    shown = "".join(_printable(c) for c in line)
    # East Asian wide characters take two cells, combining marks none, so the caret stays aligned.
    column = sum(_cells(c) for c in shown[:col])
    return shown, column


def _printable(c: str) -> str:
    if c.isprintable():
        return c
    return " " if c.isspace() else "?"


def _cells(c: str) -> int:
    if unicodedata.combining(c):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


# ----- nodes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    """A number literal or a constant; ``text`` is the literal as written, or ``e`` / ``pi``."""

    value: float
    pos: int
    text: str


@dataclass(frozen=True)
class Var:
    name: str
    pos: int


@dataclass(frozen=True)
class Unary:
    op: str  # only "-": a unary plus is dropped while parsing
    operand: Node
    pos: int


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / ^
    left: Node
    right: Node
    pos: int  # the operator (for implicit multiplication: the start of the right factor)


@dataclass(frozen=True)
class Call:
    name: str  # canonical: "log" for ln, "sqrt" for √, "sigmoid" for σ
    args: tuple[Node, ...]
    pos: int


Node = Num | Var | Unary | Binary | Call


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def variables(node: Node) -> list[str]:
    """Variable names in order of first appearance in the text."""
    seen: dict[str, None] = {}
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Var):
            seen.setdefault(n.name, None)
        stack.extend(reversed(children(n)))
    return list(seen)


# ----- tokens --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    """``kind`` is "num", "name", "sup" (a superscript power), "end", or the operator itself."""

    kind: str
    text: str
    pos: int
    value: float | None = None
    space_before: bool = False
    newline_before: bool = False


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, always ending with an "end" token at ``len(text)``."""
    if len(text) > MAX_LENGTH:
        raise ExprError(f"input is too long ({len(text)} characters; the limit is {MAX_LENGTH})")
    tokens: list[Token] = []
    i, space, newline = 0, False, False
    while i < len(text):
        c = text[i]
        if c.isspace() or c in _INVISIBLE:
            space, newline, i = True, newline or c in "\n\r", i + 1
            continue
        tok, i = _token(text, i)
        after_number = bool(tokens) and tokens[-1].kind == "num" and not space
        if after_number and tok.kind == "name" and tok.text in ("e", "E"):
            raise _bare_e(tokens[-1], tok, text)
        tokens.append(Token(tok.kind, tok.text, tok.pos, tok.value, space, newline))
        space = newline = False
    tokens.append(Token("end", "", len(text), None, space, newline))
    return tokens


def _bare_e(number: Token, e: Token, text: str) -> ExprError:
    n = number.text
    return ExprError(f"'{n}{e.text}' is ambiguous: write {n}*e to multiply by e, or {n}e0 for e-notation",
                     e.pos, text)


def _token(text: str, i: int) -> tuple[Token, int]:
    c = text[i]
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if c in _DIGITS or (c == "." and nxt in _DIGITS and nxt):
        return _number(text, i)
    if c == "*" and nxt == "*":
        return Token("^", "^", i), i + 2
    if c in _OPERATORS:
        return Token(_OPERATORS[c], _OPERATORS[c], i), i + 1
    if c in _SYMBOL_NAMES:
        return Token("name", _SYMBOL_NAMES[c], i), i + 1
    if c in _SUPERSCRIPTS or c in _SUPER_SIGNS:
        return _superscript(text, i)
    if _name_char(c) and not c.isdigit():
        j = i + 1
        while j < len(text) and _name_char(text[j]):
            j += 1
        return Token("name", text[i:j], i), j
    raise ExprError(_unexpected_char(c), i, text)


def _name_char(c: str) -> bool:
    return (c.isalnum() or c == "_") and c not in _SYMBOL_NAMES and c not in _SUPERSCRIPTS


def _unexpected_char(c: str) -> str:
    if not c.isprintable():
        return f"unexpected control character U+{ord(c):04X}"
    if c == "%":
        return "unexpected '%' (a percentage is not accepted here)"
    if c in "'\"`":
        return "unexpected quote: answers are numbers and formulas, not text"
    return f"unexpected character '{c}'"


def _number(text: str, i: int) -> tuple[Token, int]:
    start, n = i, len(text)
    while i < n and text[i] in _DIGITS:
        i += 1
    if i < n and text[i] == ".":
        i += 1
        while i < n and text[i] in _DIGITS:
            i += 1
    if i < n and text[i] in "eE":
        j = i + 1 + (i + 1 < n and text[i + 1] in "+-")
        if j < n and text[j] in _DIGITS:
            i = j
            while i < n and text[i] in _DIGITS:
                i += 1
    literal = text[start:i]
    if i < n and text[i] == ".":
        raise ExprError("malformed number: a second '.'", i, text)
    if len(literal) > MAX_NUMBER_CHARS:
        raise ExprError(f"number is too long ({len(literal)} characters; the limit is {MAX_NUMBER_CHARS})",
                        start, text)
    value = float(literal)
    if not math.isfinite(value):
        raise ExprError(f"number {literal} is too large: it is not finite", start, text)
    return Token("num", literal, start, value), i


def _superscript(text: str, i: int) -> tuple[Token, int]:
    start, sign = i, 1
    if text[i] in _SUPER_SIGNS:
        sign, i = _SUPER_SIGNS[text[i]], i + 1
    digits = ""
    while i < len(text) and text[i] in _SUPERSCRIPTS:
        digits, i = digits + str(_SUPERSCRIPTS[text[i]]), i + 1
    if not digits:
        raise ExprError("superscript sign without digits", start, text)
    if len(digits) > 4:
        raise ExprError("superscript exponent is too long", start, text)
    return Token("sup", text[start:i], start, float(sign * int(digits))), i


# ----- parser --------------------------------------------------------------------------------


def parse(text: str, variables: Collection[str] | None = None) -> Node:
    """The tree of one expression; ``variables`` None allows any name, else only those listed."""
    parser = Parser(text, variables=variables)
    if parser.peek().kind == "end":
        raise ExprError("empty expression", 0, text)
    node = parser.expression()
    parser.finish()
    return node


class Parser:
    """Recursive descent over tokens; ``solvers`` and ``quizapp.answers`` drive it through here.

    ``expression()`` stops at the first token it cannot use (``,`` ``;`` ``]`` a closing ``)``
    or a token after a space), so a caller can parse lists of expressions with its own grammar.
    """

    def __init__(self, text: str, tokens: list[Token] | None = None,
                 variables: Collection[str] | None = None) -> None:
        self.text = text
        self.tokens = tokenize(text) if tokens is None else tokens
        self.index = 0
        if isinstance(variables, str):
            raise TypeError("variables: expected a collection of names, not one string")
        self.variables = None if variables is None else frozenset(variables)
        clash = sorted((self.variables or frozenset()) & RESERVED)
        if clash:
            raise ExprError(f"{', '.join(clash)}: a function or constant name cannot be a variable")
        self._level = 0
        # id(node) -> (tree depth, value when the node is constant); nodes are pinned in _nodes.
        self._info: dict[int, tuple[int, float | None]] = {}
        self._nodes: list[Node] = []
        self._grouped: set[int] = set()

    # ----- cursor ---------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.peek()
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return tok

    def error(self, message: str, pos: int | None) -> ExprError:
        return ExprError(message, pos, self.text)

    def expect(self, kind: str, message: str) -> Token:
        if self.peek().kind != kind:
            raise self.error(message, self.peek().pos)
        return self.advance()

    def finish(self) -> None:
        """Refuse anything left after a complete expression."""
        tok = self.peek()
        if tok.kind == "end":
            return
        if tok.kind in (")", "]"):
            message = f"unmatched '{tok.text}'"
        elif tok.kind == ",":
            message = "unexpected ',' (decimals use '.', and numbers have no thousands separators)"
        elif tok.kind in ("num", "name", "("):
            message = f"missing operator before {_describe(tok)}"
        else:
            message = f"unexpected {_describe(tok)}"
        raise self.error(message, tok.pos)

    def _enter(self) -> None:
        self._level += 1
        if self._level > MAX_NESTING:
            raise self.error(f"expression is nested too deeply (the limit is {MAX_NESTING})", self.peek().pos)

    def _make(self, node: Node, *parts: Node) -> Node:
        """Record ``node``'s depth and, when all its parts are constant, check its value now."""
        infos = [self._info[id(p)] for p in parts]
        depth = 1 + max((d for d, _ in infos), default=0)
        if depth > MAX_DEPTH:
            raise self.error(self._depth_message(node, parts), node.pos)
        value: float | None = None
        if isinstance(node, Num):
            value = node.value
        elif not isinstance(node, Var) and all(v is not None for _, v in infos):
            try:
                value = _apply(node, [v for _, v in infos])  # type: ignore[misc]
            except ExprError as exc:
                raise exc.with_text(self.text) from None
        self._info[id(node)] = (depth, value)
        self._nodes.append(node)
        return node

    @staticmethod
    def _depth_message(node: Node, parts: tuple[Node, ...]) -> str:
        # A long flat sum is a chain of operators, not nesting: say what helps (grouping).
        if isinstance(node, Binary) and node.op != "^" and parts and isinstance(parts[0], Binary):
            return (f"more than {MAX_DEPTH} terms in a row: group them in parentheses, "
                    "as in (a + b + …) + (c + d + …)")
        return f"expression is nested too deeply (the limit is depth {MAX_DEPTH})"

    # ----- grammar --------------------------------------------------------------------
    def expression(self, separate: bool = False) -> Node:
        """One expression. ``separate``: a sign after a space and before a non-space starts a new
        entry, as in ``1 -2`` (two entries) versus ``1 - 2`` and ``1-2`` (one)."""
        self._enter()
        left = self._term()
        while self.peek().kind in ("+", "-"):
            op = self.peek()
            if separate and op.space_before and not self.peek(1).space_before:
                break
            self.advance()
            right = self._term()
            left = self._make(Binary(op.kind, left, right, op.pos), left, right)
        self._level -= 1
        return left

    def _term(self) -> Node:
        left = factor = self._signed()
        divided = False
        while True:
            tok = self.peek()
            if tok.kind in ("*", "/"):
                self.advance()
                factor = self._signed()
                divided = divided or tok.kind == "/"
                left = self._make(Binary(tok.kind, left, factor, tok.pos), left, factor)
            elif tok.kind in ("name", "(") and not tok.space_before:
                self._check_implicit(factor, tok, divided)
                factor = self._power()
                left = self._make(Binary("*", left, factor, tok.pos), left, factor)
            else:
                return left

    def _check_implicit(self, factor: Node, tok: Token, divided: bool) -> None:
        """Implicit multiplication only where it cannot be misread (see the module docstring)."""
        inner = factor
        while isinstance(inner, Unary) and id(inner) not in self._grouped:
            inner = inner.operand
        if isinstance(inner, Num) or id(inner) in self._grouped:
            if divided:
                raise self.error("ambiguous implicit multiplication after '/': write 1/(2*x) or (1/2)*x",
                                 tok.pos)
            return
        if isinstance(inner, Var) and tok.kind == "(":
            if self.variables is not None:
                if divided:
                    raise self.error("ambiguous implicit multiplication after '/': write a/(x*(...)) "
                                     "or (a/x)*(...)", tok.pos)
                return  # a declared variable cannot be a function, so x(x+1) can only be a product
            if inner.name.lower() in FUNCTIONS or inner.name.lower() in ALIASES:
                raise self.error(f"'{inner.name}' is not a function: names are case-sensitive; did you mean "
                                 f"'{inner.name.lower()}'?", inner.pos)
            raise self.error(f"'{inner.name}' is not a function: write {inner.name}*(...) to multiply",
                             tok.pos)
        if isinstance(inner, Binary) and inner.op == "^":
            raise self.error("ambiguous: a power followed by a factor; write 2^(3*x) or 2^3*x", tok.pos)
        raise self.error(f"missing operator before {_describe(tok)}", tok.pos)

    def _signed(self) -> Node:
        tok = self.peek()
        if tok.kind not in ("-", "+"):
            return self._power()
        self.advance()
        self._enter()
        operand = self._signed()
        self._level -= 1
        return operand if tok.kind == "+" else self._make(Unary("-", operand, tok.pos), operand)

    def _power(self) -> Node:
        base = self._postfix()
        tok = self.peek()
        if tok.kind != "^":
            return base
        self.advance()
        exponent = self._exponent()
        return self._make(Binary("^", base, exponent, tok.pos), base, exponent)

    def _exponent(self) -> Node:
        self._enter()
        tok = self.peek()
        if tok.kind in ("-", "+"):
            self.advance()
            operand = self._exponent()
            node = operand if tok.kind == "+" else self._make(Unary("-", operand, tok.pos), operand)
        else:
            node = self._power()
        self._level -= 1
        return node

    def _postfix(self) -> Node:
        node = self._atom()
        while self.peek().kind == "sup":
            tok = self.advance()
            power = self._superscript_power(tok)
            node = self._make(Binary("^", node, power, tok.pos), node, power)
        return node

    def _superscript_power(self, tok: Token) -> Node:
        value = float(tok.value or 0.0)
        num = self._make(Num(abs(value), tok.pos, str(int(abs(value)))))
        return self._make(Unary("-", num, tok.pos), num) if value < 0 else num

    def _atom(self) -> Node:
        tok = self.peek()
        if tok.kind == "num":
            self.advance()
            return self._make(Num(float(tok.value or 0.0), tok.pos, tok.text))
        if tok.kind == "name":
            return self._name()
        if tok.kind == "(":
            return self._group()
        if tok.kind == "end":
            raise self.error("unexpected end of input: expected a number, a name or '('", tok.pos)
        raise self.error(f"unexpected {_describe(tok)}: expected a number, a name or '('", tok.pos)

    def _group(self) -> Node:
        open_tok = self.advance()
        inner = self.expression()
        if self.peek().kind != ")":
            if self.peek().kind == "end":
                raise self.error("'(' is never closed", open_tok.pos)
            raise self.error(f"expected ')' before {_describe(self.peek())}", self.peek().pos)
        self.advance()
        self._grouped.add(id(inner))
        return inner

    def _name(self) -> Node:
        tok = self.peek()
        name = ALIASES.get(tok.text, tok.text)
        if name in FUNCTIONS:
            return self._call(name)
        self.advance()
        if name in CONSTANTS:
            return self._make(Num(CONSTANTS[name], tok.pos, name))
        if self.variables is not None and name not in self.variables:
            raise self.error(_unknown_name(name, self.variables), tok.pos)
        return self._make(Var(name, tok.pos))

    def _call(self, name: str) -> Node:
        tok = self.advance()
        arity = FUNCTIONS[name]
        if self.peek().kind == "(":
            args = self._arguments(tok)
            if len(args) != arity:
                raise self.error(f"{tok.text} takes {_count(arity, 'argument')}, got {len(args)}", tok.pos)
        else:
            if arity != 1:
                raise self.error(f"{tok.text} needs parentheses: {tok.text}(a, b)", tok.pos)
            if self.peek().kind not in ("num", "name", "("):
                raise self.error(f"{tok.text} needs an argument, as in {tok.text}(2)", self.peek().pos)
            self._enter()
            args = [self._atom()]
            self._level -= 1
            if self.peek().kind in ("^", "sup"):
                fn, arg = tok.text, to_text(args[0])
                raise self.error(f"ambiguous: write {fn}({arg})^n or {fn}({arg}^n)", self.peek().pos)
        return self._make(Call(name, tuple(args), tok.pos), *args)

    def _arguments(self, fn: Token) -> list[Node]:
        open_tok = self.advance()
        args = [self.expression()]
        while self.peek().kind == ",":
            self.advance()
            args.append(self.expression())
        if self.peek().kind != ")":
            if self.peek().kind == "end":
                raise self.error(f"'(' of {fn.text} is never closed", open_tok.pos)
            raise self.error(f"expected ',' or ')' before {_describe(self.peek())}", self.peek().pos)
        self.advance()
        return args


def _describe(tok: Token) -> str:
    if tok.kind == "end":
        return "the end of the input"
    if tok.kind == "sup":
        return f"superscript '{tok.text}'"
    return f"'{tok.text}'"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


# Words that reach an answer from JSON (a batch file's NaN, true, null) or from another program.
_NOT_NUMBERS = {"nan": "is not a number", "infinity": "is not a finite number", "inf": "is not a finite number",
                "true": "is a yes/no value, not a number", "false": "is a yes/no value, not a number",
                "null": "means no answer", "none": "means no answer"}


def _unknown_name(name: str, allowed: frozenset[str]) -> str:
    message = f"unknown name '{name}'"
    if name.lower() in _NOT_NUMBERS and name not in allowed:
        return f"'{name}' {_NOT_NUMBERS[name.lower()]}: give the answer as a finite number or formula"
    stem = name.rstrip(_DIGITS + ".")
    if stem != name and ALIASES.get(stem, stem) in FUNCTIONS:
        return f"{message}: write {stem} {name[len(stem):]} or {stem}({name[len(stem):]})"
    lower = name.lower()
    if lower in RESERVED and lower != name:
        return f"{message}: names are case-sensitive; did you mean '{lower}'?"
    if not allowed:
        return f"{message}: no variables are allowed here, the answer is a number"
    return f"{message}: the variables are {', '.join(sorted(allowed))}"


# ----- evaluation ----------------------------------------------------------------------------


def evaluate(node: Node, env: Mapping[str, float] | None = None) -> float:
    """The value of ``node`` with ``env`` giving the variables; any non-finite result is an ExprError."""
    env = {} if env is None else env
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Var):
        return _lookup(node, env)
    return _apply(node, [evaluate(c, env) for c in children(node)])


def _lookup(node: Var, env: Mapping[str, Any]) -> float:
    if node.name not in env:
        raise ExprError(f"no value given for '{node.name}'", node.pos)
    try:
        value = float(env[node.name])
    except (TypeError, ValueError):
        raise ExprError(f"the value of '{node.name}' is not a number", node.pos) from None
    if not math.isfinite(value):
        raise ExprError(f"the value of '{node.name}' is not finite", node.pos)
    return value


def _apply(node: Unary | Binary | Call, args: list[float]) -> float:
    if isinstance(node, Unary):
        value = -args[0]
    elif isinstance(node, Binary):
        value = _binary(node.op, args[0], args[1], node.pos)
    else:
        value = _function(node.name, args, node.pos)
    if not math.isfinite(value):
        raise ExprError("the result is not finite (too large)", node.pos)
    return value


def _binary(op: str, a: float, b: float, pos: int) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            raise ExprError("division by zero", pos)
        return a / b
    return _pow(a, b, pos)


def _pow(a: float, b: float, pos: int) -> float:
    if abs(b) > MAX_EXPONENT:
        raise ExprError(f"exponent {b:g} is too large (the limit is {MAX_EXPONENT})", pos)
    if a == 0 and b < 0:
        raise ExprError("0 to a negative power is a division by zero", pos)
    if a < 0 and not b.is_integer():
        raise ExprError("a negative number to a fractional power is not a real number", pos)
    try:
        return math.pow(a, b)
    except OverflowError:
        raise ExprError("the result is not finite (too large)", pos) from None


def _positive(name: str, x: float, pos: int) -> float:
    if x <= 0:
        raise ExprError(f"{name} needs a positive number, got {x:g}", pos)
    return x


def _function(name: str, args: list[float], pos: int) -> float:
    x = args[0]
    if name == "exp":
        try:
            return math.exp(x)
        except OverflowError:
            raise ExprError("the result is not finite (too large)", pos) from None
    if name in ("log", "log10", "log2"):
        return {"log": math.log, "log10": math.log10, "log2": math.log2}[name](_positive(name, x, pos))
    if name == "sqrt":
        if x < 0:
            raise ExprError(f"sqrt of a negative number ({x:g})", pos)
        return math.sqrt(x)
    if name == "sigmoid":
        return _sigmoid(x)
    if name == "relu":
        return x if x > 0 else 0.0
    if name in ("max", "min"):
        return max(args) if name == "max" else min(args)
    return {"tanh": math.tanh, "abs": abs, "sin": math.sin, "cos": math.cos}[name](x)


def _sigmoid(x: float) -> float:
    # exp of a non-positive number never overflows.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


# ----- printing ------------------------------------------------------------------------------

_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 4}


def to_text(node: Node) -> str:
    """``node`` as text that parses back to the same tree (``*`` written out, canonical names)."""
    return _text(node)[0]


def _text(node: Node) -> tuple[str, int]:
    if isinstance(node, Num):
        return node.text, 5
    if isinstance(node, Var):
        return node.name, 5
    if isinstance(node, Call):
        return f"{node.name}({', '.join(to_text(a) for a in node.args)})", 5
    if isinstance(node, Unary):
        s, p = _text(node.operand)
        return "-" + (f"({s})" if p < 4 else s), 3
    prec = _PREC[node.op]
    ls, lp = _text(node.left)
    rs, rp = _text(node.right)
    left_wrap = lp <= prec if node.op == "^" else lp < prec
    right_wrap = rp <= prec or rp == 3
    if left_wrap:
        ls = f"({ls})"
    if right_wrap and not (node.op == "^" and rp == 4):
        rs = f"({rs})"
    return f"{ls} {node.op} {rs}" if prec == 1 else f"{ls}{node.op}{rs}", prec


# ----- SymPy ---------------------------------------------------------------------------------


def to_sympy(node: Node) -> Any:
    """A SymPy expression built node by node (numbers exact, variables real symbols)."""
    import sympy

    return _sym(node, sympy)


def _sym(node: Node, sympy: Any) -> Any:
    if isinstance(node, Num):
        if node.text in CONSTANTS:
            return sympy.E if node.text == "e" else sympy.pi
        exact = Fraction(node.text)
        return sympy.Rational(exact.numerator, exact.denominator)
    if isinstance(node, Var):
        return sympy.Symbol(node.name, real=True)
    args = [_sym(c, sympy) for c in children(node)]
    if isinstance(node, Unary):
        return -args[0]
    if isinstance(node, Binary):
        a, b = args
        if node.op == "^":
            return _sym_pow(a, b, node.pos, sympy)
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        return a * b if node.op == "*" else a / b
    return _sym_call(node.name, args, sympy)


def _sym_pow(a: Any, b: Any, pos: int, sympy: Any) -> Any:
    if b.is_Number:
        if abs(b) > MAX_EXPONENT:
            raise ExprError(f"exponent {b} is too large (the limit is {MAX_EXPONENT})", pos)
        if a.is_Rational:
            # SymPy computes rational powers exactly; refuse numbers too big to hold.
            bits = (int(a.p).bit_length() + int(a.q).bit_length()) * abs(int(sympy.Rational(b).p))
            if bits > _MAX_EXACT_BITS:
                raise ExprError("the exact value of this power is too large to compute", pos)
    return a**b


def _sym_call(name: str, args: list[Any], sympy: Any) -> Any:
    x = args[0]
    if name == "sigmoid":
        return 1 / (1 + sympy.exp(-x))
    if name == "relu":
        return sympy.Max(0, x)
    if name == "log10":
        return sympy.log(x, 10)
    if name == "log2":
        return sympy.log(x, 2)
    if name in ("max", "min"):
        return (sympy.Max if name == "max" else sympy.Min)(*args)
    table = {"exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt, "tanh": sympy.tanh,
             "abs": sympy.Abs, "sin": sympy.sin, "cos": sympy.cos}
    return table[name](x)


# ----- autograd ------------------------------------------------------------------------------


def to_tensor(node: Node, env: Mapping[str, float]) -> tuple[Any, dict[str, Any]]:
    """The autograd graph of ``node`` at ``env``: (output Tensor, {variable name: leaf Tensor}).

    Each variable is one leaf however often it is used, so the gradients of all its paths add up.
    """
    import numpy as np

    from solvers.tensor import Tensor

    leaves = {}
    for name in variables(node):
        var = _first_var(node, name)
        leaves[name] = Tensor(_lookup(var, env), name=name)
    with np.errstate(all="ignore"):
        return _graph(node, leaves, Tensor), leaves


def _first_var(node: Node, name: str) -> Var:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Var) and n.name == name:
            return n
        stack.extend(reversed(children(n)))
    raise KeyError(name)


def _graph(node: Node, leaves: dict[str, Any], tensor_cls: Any) -> Any:
    if isinstance(node, Num):
        return tensor_cls(node.value)
    if isinstance(node, Var):
        return leaves[node.name]
    if isinstance(node, Binary) and node.op == "^" and not variables(node.right):
        # A constant exponent stays a number, so the graph has one input: x^2, not x^t with t = 2.
        base = _graph(node.left, leaves, tensor_cls)
        exponent = evaluate(node.right)
        _check_pow(float(base.data), exponent, node.pos)
        return _checked(lambda: base**exponent, node)
    args = [_graph(c, leaves, tensor_cls) for c in children(node)]
    if isinstance(node, Unary):
        return _checked(lambda: -args[0], node)
    if isinstance(node, Binary):
        return _checked(lambda: _tensor_binary(node, args[0], args[1]), node)
    return _checked(lambda: _tensor_call(node, args), node)


def _check_pow(base: float, exponent: float, pos: int) -> None:
    _pow(base, exponent, pos)  # the same domain and overflow checks as evaluate()
    if base == 0 and exponent < 1:
        raise ExprError("the derivative of this power is not finite at 0", pos)


def _tensor_binary(node: Binary, a: Any, b: Any) -> Any:
    if node.op == "/" and float(b.data) == 0:
        raise ExprError("division by zero", node.pos)
    if node.op == "^":
        _check_pow(float(a.data), float(b.data), node.pos)
        if float(a.data) < 0:
            # The exponent is a variable here: d(a^b)/db = a^b·ln a, and ln of a negative number does
            # not exist (PyTorch gives nan). Say so rather than report a gradient of 0.
            raise ExprError(f"the derivative with respect to the exponent does not exist here: the base is "
                            f"{float(a.data):g}, and d(a^b)/db = a^b·ln(a) needs ln of a negative number "
                            "(use a positive base, or a constant exponent such as x^2)", node.pos)
        return a**b
    return {"+": a.__add__, "-": a.__sub__, "*": a.__mul__, "/": a.__truediv__}[node.op](b)


def _tensor_call(node: Call, args: list[Any]) -> Any:
    x = args[0]
    name = node.name
    if name in ("log", "log10", "log2"):
        _positive(name, float(x.data), node.pos)
        return x.log() if name == "log" else x.log() / math.log(10 if name == "log10" else 2)
    if name == "sqrt" and float(x.data) <= 0:
        raise ExprError("sqrt needs a positive number here (its derivative at 0 is not finite)", node.pos)
    if name == "max":
        return x.maximum(args[1])
    if name == "min":
        return -((-x).maximum(-args[1]))  # min(a, b) = -max(-a, -b)
    return getattr(x, name)()


def _checked(build: Any, node: Node) -> Any:
    """Run one graph operation; arithmetic failures and non-finite values become ExprErrors."""
    try:
        out = build()
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        if isinstance(exc, ExprError):
            raise
        raise ExprError(f"cannot compute this here: {exc}", node.pos) from None
    value = out.data
    if isinstance(value, complex) or not math.isfinite(float(value)):
        raise ExprError("the result is not finite here", node.pos)
    return out
