"""Reading a rules file: every error found, each with its file and line.

Validation is written out here rather than delegated to a JSON Schema validator,
because a schema validator reports a JSON path and stops at what the schema can say;
operators need the line in their file, the route it concerns and, for a typo, the
words that were expected. The JSON Schema (`rules.schema.json`, next to this module)
describes the same format for editors; a test keeps the two in agreement.

A file is all or nothing: every problem is collected and reported together in one
`RulesError`, and no `RuleSet` is built unless there are none.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from newsflow.core.normalize import normalize_for_matching
from newsflow.core.routing import CATEGORIES
from newsflow.core.rules.conditions import (
    TEXT_FIELDS,
    Age,
    All,
    Any_,
    Category,
    Condition,
    Entity,
    EntityType,
    Language,
    Not,
    Pattern,
    Site,
    Source,
    Words,
    fold_words,
)
from newsflow.core.rules.model import ACTIONS, WIRE_FORMAT, Route, RuleSet
from newsflow.core.rules.tree import DocumentError, Node, from_python, from_yaml

DEFAULT_ROUTE = "general"
TOPIC_TEMPLATE = "news.topic.{name}"
#: Pipeline topics a route may not write to (the deployment's prefix comes on top).
RESERVED_TOPICS = frozenset(
    {"news.raw", "news.articles", "news.enriched", "news.dlq", "news.stats", "news.config"}
)
ENTITY_TYPES: tuple[str, ...] = ("PERSON", "ORG", "GPE", "LOC", "EVENT")
CONDITIONS: tuple[str, ...] = (
    "all",
    "any",
    "not",
    "category",
    "language",
    "site",
    "source",
    "entity",
    "entity_type",
    "words",
    "pattern",
    "age",
)
TOP_KEYS: tuple[str, ...] = ("routes", "default", "default_route", "description")
ROUTE_KEYS: tuple[str, ...] = (
    "name",
    "topic",
    "partitions",
    "when",
    "action",
    "tags",
    "description",
)
MAX_PARTITIONS = 10_000
MAX_REGEX_CHARS = 1_000
MAX_DEPTH = 32  # nesting of all/any/not

_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
_TOPIC = re.compile(r"[A-Za-z0-9._-]{1,200}")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_SITE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}")
_ENTITY_ID = re.compile(r"[a-z][a-z0-9_-]*:\S+")
_TAG = re.compile(r"\S(?:.{0,98}\S)?")


@dataclass(frozen=True)
class RuleIssue:
    """One problem: where (``source`` and the 1-based ``line``, None when unknown) and what."""

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.source}: {self.message}"
        return f"{self.source}:{self.line}: {self.message}"


class RulesError(ValueError):
    """A rules document with problems; ``issues`` lists all of them in file order."""

    def __init__(self, issues: Sequence[RuleIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


def _expected(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    hint = f'did you mean "{close[0]}"? ' if close else ""
    return f"({hint}expected one of: {', '.join(choices)})"


class _Reader:
    """Validation of one document; errors accumulate in ``issues``."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.issues: list[RuleIssue] = []

    def error(self, line: int | None, message: str) -> None:
        self.issues.append(RuleIssue(self.source, line, message))

    # --- generic shapes -----------------------------------------------------------

    def mapping(
        self, node: Node, where: str, keys: Sequence[str], what: str
    ) -> dict[str, tuple[int | None, Node]] | None:
        """The mapping's entries by key, after checking for unknown and repeated keys."""
        if not node.is_map:
            self.error(node.line, f"{where}expected a mapping, got {node.describe()}")
            return None
        out: dict[str, tuple[int | None, Node]] = {}
        for key, line, value in node.items:
            if not isinstance(key, str):
                self.error(line, f"{where}a key must be text, got {key!r}")
                continue
            if key in out:
                first = out[key][0]
                at = f" (first at line {first})" if first is not None else ""
                self.error(line, f'{where}"{key}" is given twice{at}')
                continue
            if key not in keys:
                self.error(line, f'{where}unknown {what} "{key}" {_expected(key, keys)}')
                continue
            out[key] = (line, value)
        return out

    def text(self, node: Node, where: str, what: str) -> str | None:
        """A scalar's text as written (YAML's ``no`` stays "no"); None after an error."""
        if not node.is_scalar or node.value is None or node.text is None:
            self.error(node.line, f"{where}{what} must be text, got {node.describe()}")
            return None
        text = node.text if not isinstance(node.value, str) else node.value
        if not text.strip():
            self.error(node.line, f"{where}{what} must not be empty")
            return None
        return text

    def texts(self, node: Node, where: str, what: str) -> list[tuple[int | None, str]] | None:
        """One text or a non-empty list of them."""
        if node.is_seq:
            if not node.items:
                self.error(node.line, f"{where}{what} must list at least one value")
                return None
            out = []
            for item in node.items:
                value = self.text(item, where, what)
                if value is not None:
                    out.append((item.line, value))
            return out if len(out) == len(node.items) else None
        value = self.text(node, where, what)
        return None if value is None else [(node.line, value)]

    def number(
        self, node: Node, where: str, what: str, low: float, high: float | None
    ) -> float | None:
        value = node.value
        if not node.is_scalar or isinstance(value, bool) or not isinstance(value, int | float):
            self.error(node.line, f"{where}{what} must be a number, got {node.describe()}")
            return None
        if value != value or value < low or (high is not None and value > high):
            bound = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
            self.error(node.line, f"{where}{what} must be {bound}, got {value:g}")
            return None
        return float(value)

    def checked(
        self,
        items: list[tuple[int | None, str]] | None,
        where: str,
        ok: Callable[[str], bool],
        problem: Callable[[str], str],
    ) -> list[str] | None:
        if items is None:
            return None
        good = True
        for line, value in items:
            if not ok(value):
                self.error(line, f"{where}{problem(value)}")
                good = False
        return [v for _, v in items] if good else None

    # --- the document -------------------------------------------------------------

    def document(self, root: Node) -> RuleSet | None:
        top = self.mapping(root, "", TOP_KEYS, "top-level key")
        if top is None:
            return None
        if "description" in top:
            self.text(top["description"][1], "", "description")
        default_name = DEFAULT_ROUTE
        default_line: int | None = None
        explicit = False
        if "default" in top and "default_route" in top:
            self.error(
                top["default_route"][0], 'give either "default" or "default_route", not both'
            )
        for key in ("default", "default_route"):
            if key in top:
                line, node = top[key]
                name = self.text(node, "", key)
                if name is not None:
                    default_name, default_line, explicit = name, node.line or line, True
        if "routes" not in top:
            self.error(root.line, 'missing "routes:" (a list of routes)')
            return None
        line, node = top["routes"]
        if not node.is_seq or not node.items:
            what = "an empty list" if node.is_seq else node.describe()
            self.error(
                node.line or line, f'"routes" must be a non-empty list of routes, got {what}'
            )
            return None
        routes: list[Route] = []
        names: dict[str, int | None] = {}
        topics: dict[str, str] = {}
        for i, item in enumerate(node.items, start=1):
            route = self.route(item, i, names, topics)
            if route is not None:
                routes.append(route)
        if explicit and default_name not in names:
            self.error(
                default_line,
                f'default route "{default_name}" is not one of the routes '
                f"{_expected(default_name, list(names))}",
            )
        for route in routes:
            if route.name != default_name:
                continue
            where = f'route "{route.name}": '
            if route.action != "send":
                self.error(
                    names[route.name], f"{where}the default route must send, not {route.action}"
                )
            if route.condition is not None:
                self.error(
                    names[route.name],
                    f"{where}the default route takes the articles no rule sent; "
                    'it cannot have "when"',
                )
        if self.issues:
            return None
        if default_name not in names:
            implicit_topic = TOPIC_TEMPLATE.format(name=default_name)
            if implicit_topic in topics:
                self.error(
                    None,
                    f'the implicit default route "{default_name}" needs topic {implicit_topic}, '
                    f'which route "{topics[implicit_topic]}" uses',
                )
                return None
            routes.append(Route(default_name, implicit_topic, None, "send", (), None))
        return RuleSet.build(self.source, tuple(routes), default_name)

    def route(
        self, node: Node, index: int, names: dict[str, int | None], topics: dict[str, str]
    ) -> Route | None:
        label = f"route #{index}: "
        if node.is_map:
            for key, _, value in node.items:
                if (
                    key == "name"
                    and value.is_scalar
                    and isinstance(value.value, str)
                    and value.value
                ):
                    label = f'route "{value.value}": '
        fields = self.mapping(node, label, ROUTE_KEYS, "key")
        if fields is None:
            return None
        before = len(self.issues)
        name: str | None = None
        if "name" not in fields:
            self.error(node.line, f"{label}missing name")
        else:
            line, value = fields["name"]
            name = self.text(value, label, "name")
            if name is not None and not _SLUG.fullmatch(name):
                self.error(
                    value.line or line,
                    f"{label}name must be lower-case letters, digits, - or _ "
                    "(at most 63, starting with a letter or digit)",
                )
                name = None
            if name is not None and name in names:
                first = names[name]
                at = f" (first at line {first})" if first is not None else ""
                self.error(value.line or line, f'route "{name}" is declared twice{at}')
                name = None
            elif name is not None:
                names[name] = value.line or line
        action = "send"
        if "action" in fields:
            line, value = fields["action"]
            given = self.text(value, label, "action")
            if given is not None and given not in ACTIONS:
                self.error(
                    value.line or line,
                    f'{label}unknown action "{given}" {_expected(given, ACTIONS)}',
                )
            elif given is not None:
                action = given
        topic: str | None = None
        partitions: int | None = None
        if action == "send":
            topic = self.topic(fields, label, name, topics)
            if "partitions" in fields:
                line, value = fields["partitions"]
                if (
                    not value.is_scalar
                    or isinstance(value.value, bool)
                    or not isinstance(value.value, int)
                    or not 1 <= value.value <= MAX_PARTITIONS
                ):
                    self.error(
                        value.line or line,
                        f"{label}partitions must be a whole number from 1 to {MAX_PARTITIONS}, "
                        f"got {value.describe()}",
                    )
                else:
                    partitions = int(value.value)
        else:
            for key in ("topic", "partitions"):
                if key in fields:
                    self.error(
                        fields[key][0], f'{label}"{key}" applies to action send only, not {action}'
                    )
        tags: tuple[str, ...] = ()
        if action == "tag":
            if "tags" not in fields:
                self.error(node.line, f'{label}action tag needs "tags: [...]"')
            else:
                line, value = fields["tags"]
                checked = self.checked(
                    self.texts(value, label, "a tag"),
                    label,
                    lambda t: bool(_TAG.fullmatch(t)),
                    lambda t: (
                        f'tag "{t}" must be at most 100 characters, without surrounding spaces'
                    ),
                )
                if checked is not None:
                    tags = tuple(dict.fromkeys(checked))
        elif "tags" in fields:
            self.error(fields["tags"][0], f'{label}"tags" applies to action tag only')
        description: str | None = None
        if "description" in fields:
            description = self.text(fields["description"][1], label, "description")
        condition: Condition | None = None
        if "when" in fields:
            line, value = fields["when"]
            condition = self.condition(value, label, 0)
        if name is None or len(self.issues) > before:
            return None
        return Route(name, topic, partitions, action, tags, condition, description)

    def topic(
        self,
        fields: dict[str, tuple[int | None, Node]],
        label: str,
        name: str | None,
        topics: dict[str, str],
    ) -> str | None:
        if "topic" not in fields:
            if name is None:
                return None
            topic = TOPIC_TEMPLATE.format(name=name)
            line = fields["name"][1].line or fields["name"][0]
        else:
            line, value = fields["topic"]
            line = value.line or line
            given = self.text(value, label, "topic")
            if given is None:
                return None
            if not _TOPIC.fullmatch(given) or given in (".", ".."):
                self.error(
                    line,
                    f'{label}topic "{given}" is not a Kafka topic name '
                    "(letters, digits, '.', '_', '-'; at most 200)",
                )
                return None
            topic = given
        if topic in RESERVED_TOPICS or topic.startswith("__"):
            self.error(line, f"{label}topic {topic} belongs to the pipeline; choose another")
            return None
        if topic in topics:
            self.error(
                line, f'{label}topic {topic} is already the topic of route "{topics[topic]}"'
            )
            return None
        topics[topic] = name or "?"
        return topic

    # --- conditions -----------------------------------------------------------------

    def condition(self, node: Node, where: str, depth: int) -> Condition | None:
        if depth > MAX_DEPTH:
            self.error(node.line, f"{where}conditions nested more than {MAX_DEPTH} deep")
            return None
        if not node.is_map:
            self.error(
                node.line,
                f"{where}a condition must be a mapping such as `entity: iso:IR`, "
                f"got {node.describe()}",
            )
            return None
        if not node.items:
            self.error(
                node.line, f"{where}empty condition (to match every article, leave out `when`)"
            )
            return None
        fields = self.mapping(node, where, CONDITIONS, "condition")
        if fields is None or len(fields) != len(node.items):
            # still read the known ones, for their own errors
            for key, (line, value) in (fields or {}).items():
                self.one(key, value, line, where, depth)
            return None
        parts = [self.one(key, value, line, where, depth) for key, (line, value) in fields.items()]
        if any(p is None for p in parts):
            return None
        done = [p for p in parts if p is not None]
        return done[0] if len(done) == 1 else All(done)

    def one(
        self, key: str, node: Node, line: int | None, where: str, depth: int
    ) -> Condition | None:
        builder: Callable[[Node, str, int], Condition | None] = getattr(self, f"c_{key}")
        if node.line is None:
            node.line = line
        return builder(node, where, depth)

    def _parts(self, node: Node, where: str, depth: int, key: str) -> list[Condition] | None:
        if not node.is_seq or not node.items:
            what = "an empty list" if node.is_seq else node.describe()
            self.error(node.line, f"{where}{key} needs a non-empty list of conditions, got {what}")
            return None
        parts = [self.condition(item, where, depth + 1) for item in node.items]
        if any(p is None for p in parts):
            return None
        return [p for p in parts if p is not None]

    def c_all(self, node: Node, where: str, depth: int) -> Condition | None:
        parts = self._parts(node, where, depth, "all")
        return None if parts is None else All(parts)

    def c_any(self, node: Node, where: str, depth: int) -> Condition | None:
        parts = self._parts(node, where, depth, "any")
        return None if parts is None else Any_(parts)

    def c_not(self, node: Node, where: str, depth: int) -> Condition | None:
        part = self.condition(node, where + "not: ", depth + 1)
        return None if part is None else Not(part)

    def _with_floor(
        self, node: Node, where: str, key: str, id_key: str, floor_key: str
    ) -> tuple[list[tuple[int | None, str]] | None, float | None, bool]:
        """``value``, ``[values]`` or ``{id_key: value(s), floor_key: number}``: the values,
        the floor (None if not given) and whether the shape was right."""
        if not node.is_map:
            return self.texts(node, where, key), None, True
        fields = self.mapping(node, f"{where}{key}: ", (id_key, floor_key), "key")
        if fields is None:
            return None, None, False
        ok = True
        floor = None
        if floor_key in fields:
            line, value = fields[floor_key]
            if value.line is None:
                value.line = line
            floor = self.number(value, f"{where}{key}: ", floor_key, 0.0, 1.0)
            ok = floor is not None
        if id_key not in fields:
            self.error(node.line, f"{where}{key} needs `{id_key}:`")
            return None, floor, False
        line, value = fields[id_key]
        if value.line is None:
            value.line = line
        return self.texts(value, where, key), floor, ok and len(fields) == len(node.items)

    def c_category(self, node: Node, where: str, depth: int) -> Condition | None:
        items, floor, ok = self._with_floor(node, where, "category", "name", "min_score")
        names = self.checked(
            items,
            where,
            lambda c: c in CATEGORIES,
            lambda c: f'unknown category "{c}" {_expected(c, CATEGORIES)}',
        )
        if names is None or not ok:
            return None
        return Category(list(dict.fromkeys(names)), floor)

    def c_language(self, node: Node, where: str, depth: int) -> Condition | None:
        items = self.texts(node, where, "language")
        langs = self.checked(
            None if items is None else [(ln, v.lower()) for ln, v in items],
            where,
            lambda v: bool(_LANGUAGE.fullmatch(v)),
            lambda v: f'language "{v}" is not a language code such as ar, fa or en',
        )
        return None if langs is None else Language(langs)

    def c_site(self, node: Node, where: str, depth: int) -> Condition | None:
        items = self.texts(node, where, "site")
        sites = self.checked(
            None if items is None else [(ln, v.lower().rstrip(".")) for ln, v in items],
            where,
            lambda v: bool(_SITE.fullmatch(v)),
            lambda v: f'site "{v}" is not a domain such as irna.ir (no scheme, no path)',
        )
        return None if sites is None else Site(sites)

    def c_source(self, node: Node, where: str, depth: int) -> Condition | None:
        items = self.texts(node, where, "source")
        return None if items is None else Source([v for _, v in items])

    def c_entity(self, node: Node, where: str, depth: int) -> Condition | None:
        items, floor, ok = self._with_floor(node, where, "entity", "id", "min_salience")
        ids = self.checked(
            items,
            where,
            lambda v: bool(_ENTITY_ID.fullmatch(v)),
            lambda v: f'entity "{v}" is not an entity id such as iso:IR or nf:hamas',
        )
        if ids is None or not ok:
            return None
        return Entity(list(dict.fromkeys(ids)), floor or 0.0)

    def c_entity_type(self, node: Node, where: str, depth: int) -> Condition | None:
        items, floor, ok = self._with_floor(node, where, "entity_type", "type", "min_salience")
        types = self.checked(
            items,
            where,
            lambda v: v in ENTITY_TYPES,
            lambda v: f'unknown entity type "{v}" {_expected(v, ENTITY_TYPES)}',
        )
        if types is None or not ok:
            return None
        return EntityType(list(dict.fromkeys(types)), floor or 0.0)

    def _fields(self, fields: dict[str, tuple[int | None, Node]], where: str) -> list[str] | None:
        if "in" not in fields:
            return list(TEXT_FIELDS)
        line, value = fields["in"]
        if value.line is None:
            value.line = line
        names = self.checked(
            self.texts(value, where, "in"),
            where,
            lambda f: f in TEXT_FIELDS,
            lambda f: f'unknown field "{f}" {_expected(f, TEXT_FIELDS)}',
        )
        return None if names is None else list(dict.fromkeys(names))

    def c_words(self, node: Node, where: str, depth: int) -> Condition | None:
        inner = f"{where}words: "
        if node.is_map:
            fields = self.mapping(node, inner, ("in", "any", "all"), "key")
            if fields is None:
                return None
            names = self._fields(fields, inner)
            modes = [m for m in ("any", "all") if m in fields]
            if len(modes) != 1:
                self.error(node.line, f"{inner}give exactly one of `any:` or `all:` (the words)")
                return None
            mode = modes[0]
            line, value = fields[mode]
            if value.line is None:
                value.line = line
            ok = names is not None and len(fields) == len(node.items)
        else:
            names, mode, value, ok = list(TEXT_FIELDS), "any", node, True
        items = self.texts(value, inner, "a word")
        words = self.checked(
            items,
            inner,
            lambda w: bool(fold_words(w.rstrip("*"))) and "*" not in w.rstrip("*"),
            lambda w: (
                f'"{w}" has no letters or digits to match'
                if not fold_words(w.rstrip("*"))
                else f'"{w}": "*" may only end a word (a prefix)'
            ),
        )
        if words is None or names is None or not ok:
            return None
        return Words(names, mode, list(dict.fromkeys(words)))

    def c_pattern(self, node: Node, where: str, depth: int) -> Condition | None:
        inner = f"{where}pattern: "
        if node.is_map:
            fields = self.mapping(node, inner, ("in", "regex"), "key")
            if fields is None:
                return None
            names = self._fields(fields, inner)
            if "regex" not in fields:
                self.error(node.line, f"{inner}needs `regex:`")
                return None
            line, value = fields["regex"]
            if value.line is None:
                value.line = line
            ok = names is not None and len(fields) == len(node.items)
        else:
            names, value, ok = list(TEXT_FIELDS), node, True
        regex = self.text(value, inner, "regex")
        if regex is None:
            return None
        compiled = self.compile(regex, value.line, inner)
        if compiled is None or names is None or not ok:
            return None
        return Pattern(names, regex, compiled)

    def compile(self, regex: str, line: int | None, where: str) -> re.Pattern[str] | None:
        """The pattern folded like the text it searches, compiled; None after an error."""
        if len(regex) > MAX_REGEX_CHARS:
            self.error(line, f"{where}regex longer than {MAX_REGEX_CHARS} characters")
            return None
        folded = fold_regex(regex)
        try:
            compiled = re.compile(folded, re.IGNORECASE)
        except re.error as exc:
            self.error(line, f'{where}invalid regex "{regex}": {exc}')
            return None
        problem = regex_risk(folded)
        if problem is None and compiled.search("") is not None:
            problem = "it matches the empty text, so it would match every article"
        if problem is not None:
            self.error(line, f'{where}regex "{regex}" refused: {problem}')
            return None
        return compiled

    def c_age(self, node: Node, where: str, depth: int) -> Condition | None:
        inner = f"{where}age: "
        fields = self.mapping(node, inner, ("min_hours", "max_hours"), "key")
        if fields is None:
            return None
        if not node.items:
            self.error(node.line, f"{inner}give min_hours, max_hours or both")
            return None
        bounds: dict[str, float | None] = {}
        for key, (line, value) in fields.items():
            if value.line is None:
                value.line = line
            bounds[key] = self.number(value, inner, key, 0.0, None)
        if not fields or any(v is None for v in bounds.values()) or len(fields) != len(node.items):
            return None
        low, high = bounds.get("min_hours"), bounds.get("max_hours")
        if low is not None and high is not None and low > high:
            self.error(node.line, f"{inner}min_hours {low:g} is above max_hours {high:g}")
            return None
        return Age(low, high)


def fold_regex(regex: str) -> str:
    """The regex with its characters folded as the text is (`normalize_for_matching`
    without case folding: the pattern is compiled case-insensitive instead, and folding
    case would turn ``\\W`` into ``\\w``). A character that folds to a regex
    metacharacter (Arabic ``؟`` to ``?``) is escaped, so it stays a literal."""
    out: list[str] = []
    for ch in regex:
        folded = normalize_for_matching(ch, casefold=False)
        out.append(ch if folded == ch else re.escape(folded))
    return "".join(out)


def regex_risk(regex: str) -> str | None:
    """Why a (valid) regex could take far more than linear time, or None.

    Python's `re` backtracks. Refused: an unbounded repeat inside another unbounded
    repeat (``(a+)+``, ``(\\w*\\s?)*``: exponential on a near miss), back-references,
    and a leading ``.*`` or ``[^x]*`` (quadratic over the whole field, and useless since
    the pattern is searched anywhere). Each field is also scanned only up to `MAX_PATTERN_CHARS`.
    """
    parser: Any = importlib.import_module("re._parser")
    constants: Any = importlib.import_module("re._constants")
    repeats = (constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT)
    unbounded = constants.MAXREPEAT
    try:
        tree = parser.parse(regex, 0)
    except Exception:  # noqa: BLE001 - already compiled; any failure here is our limitation
        return "it could not be analysed"

    def walk(items: Any, inside: bool) -> str | None:
        for op, arg in items:
            if op in (constants.GROUPREF, constants.GROUPREF_EXISTS):
                return "back-references are not supported"
            if op in repeats:
                _low, high, body = arg
                is_open = high == unbounded or high > 1000
                if is_open and inside and op != constants.POSSESSIVE_REPEAT:
                    return "a repeat inside a repeat (such as (a+)+) can take exponential time"
                found = walk(body, inside or is_open)
            elif op == constants.SUBPATTERN:
                found = walk(arg[-1], inside)
            elif op == constants.BRANCH:
                found = next((f for b in arg[1] if (f := walk(b, inside)) is not None), None)
            elif op in (constants.ASSERT, constants.ASSERT_NOT):
                found = walk(arg[1], inside)
            elif op == constants.ATOMIC_GROUP:
                found = walk(arg, inside)
            else:
                found = None
            if found is not None:
                return found
        return None

    items = list(tree)
    nested = walk(items, False)
    if nested is None and items and items[0][0] in repeats and items[0][1][1] == unbounded:
        body = list(items[0][1][2])
        broad = len(body) == 1 and (
            body[0][0] in (constants.ANY, constants.NOT_LITERAL)
            or (body[0][0] == constants.IN and body[0][1][:1] == [(constants.NEGATE, None)])
        )
        if broad:
            return "it starts with .* or the like (drop it: the pattern is searched anywhere)"
    return nested


# --- entry points ------------------------------------------------------------------------


def _read(root_factory: Callable[[], Node], source: str) -> RuleSet:
    reader = _Reader(source)
    try:
        root = root_factory()
    except DocumentError as exc:
        raise RulesError([RuleIssue(source, exc.line, exc.message)]) from None
    rules = reader.document(root)
    if reader.issues or rules is None:
        # in file order; problems of the whole file (no line) first
        issues = sorted(reader.issues, key=lambda i: (i.line is not None, i.line or 0))
        raise RulesError(issues or [RuleIssue(source, None, "no rules")])
    return rules


def load_text(text: str, source_name: str = "<rules>") -> RuleSet:
    """A rule set from YAML text; ``source_name`` names it in messages and in the set."""
    return _read(lambda: from_yaml(text), source_name)


def load_file(path: str | Path) -> RuleSet:
    """A rule set from a YAML file; messages name the file as given."""
    path = Path(path)
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RulesError([RuleIssue(name, None, f"cannot read: {exc.strerror or exc}")]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RulesError([RuleIssue(name, line, "not UTF-8 text")]) from None
    return load_text(text, name)


def load_document(document: Any, source_name: str = "<rules>") -> RuleSet:
    """A rule set from an already-parsed document (a dict as JSON gives it)."""
    return _read(lambda: from_python(document), source_name)


def load_wire(data: bytes | str) -> RuleSet:
    """The inverse of `RuleSet.to_json`: the document validated as a file would be, and
    its stated version checked against the version of its rules."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise RulesError([RuleIssue("<rule set>", None, f"not JSON: {exc}")]) from None
    if not isinstance(doc, dict):
        raise RulesError([RuleIssue("<rule set>", None, "not a JSON object")])
    source = doc.get("source") if isinstance(doc.get("source"), str) else "<rule set>"
    assert isinstance(source, str)
    if doc.get("format") != WIRE_FORMAT:
        raise RulesError(
            [RuleIssue(source, None, f"unknown rule set format {doc.get('format')!r}")]
        )
    rules = load_document(doc.get("rules"), source)
    if doc.get("version") != rules.version:
        raise RulesError(
            [
                RuleIssue(
                    source,
                    None,
                    f"stated version {doc.get('version')!r} is not "
                    f"the rules' version {rules.version}",
                )
            ]
        )
    return rules


@functools.lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """The packaged rules (`newsflow/data/routes.yaml`), today's routing as a rules file."""
    ref = resources.files("newsflow").joinpath("data", "routes.yaml")
    return load_text(ref.read_text(encoding="utf-8"), "newsflow/data/routes.yaml")


def schema() -> dict[str, Any]:
    """The JSON Schema of rules files (shipped as `rules.schema.json`)."""
    ref = resources.files("newsflow.core.rules").joinpath("rules.schema.json")
    loaded: dict[str, Any] = orjson.loads(ref.read_bytes())
    return loaded
