"""Safe YAML loading that remembers where every value came from.

Templates are data written by people, so every error must point at ``file:line: field``.
PyYAML's safe loader is subclassed to build mappings and sequences that carry their line
numbers (and the line of each key), to refuse duplicate keys, and to turn the loader's
refusal of ``!!python/...`` and other unknown tags into a message a TA can act on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class TemplateError(ValueError):
    """A template that cannot be loaded or used; says where (file, line, field) and what."""

    def __init__(self, message: str, file: str = "", line: int = 0, field: str = "") -> None:
        self.file = str(file)
        self.line = int(line)
        self.field = field
        self.message = message
        super().__init__(self._text())

    def _text(self) -> str:
        where = self.file or "<template>"
        if self.line:
            where += f":{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class MarkedDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)

    @classmethod
    def empty(cls, line: int) -> MarkedDict:
        """An empty mapping standing where a key was left out (errors inside point at ``line``)."""
        out = cls()
        out.line, out.key_lines = line, {}
        return out


class MarkedList(list):
    """A sequence that knows its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line

    @classmethod
    def empty(cls, line: int) -> MarkedList:
        """An empty list standing where a key was left out (errors inside point at ``line``)."""
        out = cls()
        out.line, out.item_lines = line, []
        return out


class _Loader(_Base):  # type: ignore[valid-type,misc]
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> MarkedDict:
    loader.flatten_mapping(node)
    out = MarkedDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise yaml.MarkedYAMLError(
                problem="a mapping key must be a plain value", problem_mark=key_node.start_mark
            ) from None
        if key in out:
            raise yaml.MarkedYAMLError(
                problem=f"duplicate key {key!r} (first on line {out.key_lines[key]})",
                problem_mark=key_node.start_mark,
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    return out


def _construct_sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> MarkedList:
    out = MarkedList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


def _refuse_tag(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    raise yaml.MarkedYAMLError(
        problem=f"tag {tag} is not allowed: templates are plain data (no Python objects, no custom tags)",
        problem_mark=node.start_mark,
    )


# YAML 1.2 booleans: only true/false. YAML 1.1 also reads yes/no/on/off as booleans, which turns a
# vocabulary word such as "on" into True behind a TA's back.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
# Plain data only: sets, binary blobs, dates and anything unknown are refused.
for _tag in ("set", "binary", "timestamp", "omap", "pairs"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)
_Loader.add_constructor(None, _refuse_tag)


# A template is a few kilobytes written by a person; these bounds leave room a hundred times over
# and stop size bombs before they cost memory: a huge file, a huge string, or YAML aliases that
# expand a small file into millions of values (each alias counts as a copy of what it names).
MAX_FILE_CHARS = 512 * 1024
MAX_TEXT_CHARS = 20_000
MAX_VALUES = 20_000


def _check_size(root: yaml.Node) -> None:
    """Refuse a document whose expanded size (aliases counted as copies) or any text is too large."""
    count, stack = 0, [root]
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise yaml.MarkedYAMLError(
                problem=f"more than {MAX_VALUES:,} values (YAML aliases count once per use): "
                "a template is far smaller; write the values out instead of nesting aliases",
                problem_mark=node.start_mark,
            )
        if isinstance(node, yaml.ScalarNode):
            if len(node.value) > MAX_TEXT_CHARS:
                raise yaml.MarkedYAMLError(
                    problem=f"a text of {len(node.value):,} characters (the limit is {MAX_TEXT_CHARS:,})",
                    problem_mark=node.start_mark,
                )
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(child for pair in node.value for child in pair)


def _load(text: str) -> Any:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node)  # before constructing: construction itself is where a bomb would explode
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load_yaml(text: str, file: str = "<string>") -> Any:
    """Parse ``text`` safely; mappings and sequences come back marked with their lines."""
    if len(text) > MAX_FILE_CHARS:
        raise TemplateError(f"the file has {len(text):,} characters; a template may have at most "
                            f"{MAX_FILE_CHARS:,}", file)
    try:
        return _load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = exc.problem or str(exc)
        if exc.context and "constructor" not in (exc.context or ""):
            problem = f"{exc.context}: {problem}"
        raise TemplateError(f"invalid YAML: {problem}", file, line) from None
    except yaml.YAMLError as exc:
        raise TemplateError(f"invalid YAML: {exc}", file) from None


def load_yaml_file(path: str | Path) -> Any:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > 4 * MAX_FILE_CHARS:  # refused before reading it into memory
            raise TemplateError(f"the file has {size:,} bytes; a template may have at most "
                                f"{MAX_FILE_CHARS:,} characters", str(path))
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read the file: {exc}", str(path)) from None
    return load_yaml(text, str(path))
