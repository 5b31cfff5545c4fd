"""A rules document as a tree of values that remember their line.

The validator reads this tree, not plain Python values, so that every message can
say where in the file the problem is. A YAML file is composed to PyYAML nodes (never
constructed: no tags are honoured, no Python objects built) and each node becomes a
`Node` with its 1-based line; a JSON document (a rule set received over Kafka) becomes
the same tree without lines. Scalars keep the text as written, so a language code
``no`` is the string "no", not YAML 1.1's false.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

#: Largest rules file read (bytes): thousands of routes fit; a bigger file is a mistake.
MAX_FILE_BYTES = 1_000_000
#: Most nodes one document may expand to: YAML aliases can repeat a node many times over
#: (the "billion laughs"), and a recursive alias would never end.
MAX_NODES = 200_000


@dataclass
class Node:
    """One value of the document: a mapping (``items``), a list (``items``) or a scalar.

    ``value`` is the scalar's Python value (str, int, float, bool or None), ``text``
    the scalar as written (None for a JSON document's non-string scalars), ``line``
    1-based or None when the document has no lines. For a mapping, ``items`` holds
    (key, key line, value) triples in document order.
    """

    kind: str  # "map", "seq" or "scalar"
    line: int | None
    value: Any = None
    text: str | None = None
    items: list[Any] = field(default_factory=list)

    @property
    def is_map(self) -> bool:
        return self.kind == "map"

    @property
    def is_seq(self) -> bool:
        return self.kind == "seq"

    @property
    def is_scalar(self) -> bool:
        return self.kind == "scalar"

    def describe(self) -> str:
        """What the node is, for "expected X, got Y" messages."""
        if self.kind == "map":
            return "a mapping"
        if self.kind == "seq":
            return "a list"
        if self.value is None:
            return "nothing (null)"
        if isinstance(self.value, bool):
            return f"the boolean {self.text or str(self.value).lower()}"
        if isinstance(self.value, int | float):
            return f"the number {self.text or self.value}"
        return f'the text "{self.value}"'


class DocumentError(Exception):
    """The document cannot be read as a tree at all (syntax, size, aliases)."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


class _Converter:
    """PyYAML nodes to `Node`s, counting nodes so aliases cannot blow up."""

    def __init__(self) -> None:
        self.count = 0
        self.constructor = SafeConstructor()

    def convert(self, node: yaml.Node) -> Node:
        self.count += 1
        if self.count > MAX_NODES:
            raise DocumentError(
                _line(node), f"the document expands to more than {MAX_NODES} values (aliases?)"
            )
        if isinstance(node, yaml.MappingNode):
            items: list[tuple[Any, int, Node]] = []
            for key_node, value_node in node.value:
                key = self.convert(key_node)
                items.append(
                    (key.value if key.is_scalar else key, _line(key_node), self.convert(value_node))
                )
            return Node("map", _line(node), items=items)
        if isinstance(node, yaml.SequenceNode):
            return Node("seq", _line(node), items=[self.convert(n) for n in node.value])
        assert isinstance(node, yaml.ScalarNode)
        if node.tag.startswith("tag:yaml.org,2002:") and node.tag.rsplit(":", 1)[1] in (
            "str",
            "int",
            "float",
            "bool",
            "null",
        ):
            try:
                value = self.constructor.construct_object(node)
            except (ConstructorError, ValueError) as exc:
                raise DocumentError(_line(node), f"cannot read the value: {exc}") from None
            return Node("scalar", _line(node), value=value, text=str(node.value))
        raise DocumentError(_line(node), f"unsupported YAML tag {node.tag}")


def from_yaml(text: str) -> Node:
    """The tree of one YAML document; `DocumentError` when it cannot be read."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise DocumentError(None, f"the file is larger than {MAX_FILE_BYTES} bytes")
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else int(mark.line) + 1
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise DocumentError(line, f"not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise DocumentError(None, f"not valid YAML: {exc}") from None
    if not nodes or nodes[0] is None:
        raise DocumentError(None, "the file is empty (expected a mapping with `routes:`)")
    if len(nodes) > 1:
        raise DocumentError(_line(nodes[1]), "more than one YAML document (one `---` too many)")
    return _Converter().convert(nodes[0])


def from_python(value: Any, *, _depth: int = 0) -> Node:
    """The tree of a JSON value (no lines); anything JSON cannot hold is an error."""
    if _depth > 100:
        raise DocumentError(None, "the document is nested too deeply")
    if isinstance(value, Mapping):
        return Node(
            "map",
            None,
            items=[(k, None, from_python(v, _depth=_depth + 1)) for k, v in value.items()],
        )
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return Node("seq", None, items=[from_python(v, _depth=_depth + 1) for v in value])
    if value is None or isinstance(value, str | int | float | bool):
        return Node("scalar", None, value=value, text=value if isinstance(value, str) else None)
    raise DocumentError(None, f"not a JSON value: {type(value).__name__}")
