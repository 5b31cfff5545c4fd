"""A validated rule set, and what it decides for one enriched article.

Precedence, in one place (the README says the same):

* every rule (route) is evaluated in file order; the default route is not a rule;
* a matching ``send`` rule adds its route (each route once, in file order);
* a matching ``tag`` rule adds its tags (each once, in file order); tags never change
  where an article goes;
* a matching ``drop`` rule drops the article: no route at all, whatever else matched
  (tags are still reported);
* not dropped and no ``send`` rule matched: the default route.

So ``Decision.routes`` is empty exactly when the article was dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from newsflow.core.rules.conditions import Condition, Facts

#: Format of `RuleSet.to_json` documents.
WIRE_FORMAT = 1
ACTIONS: tuple[str, ...] = ("send", "drop", "tag")


@dataclass(frozen=True, eq=False)
class Route:
    """One entry of ``routes:``. ``condition`` None: the rule always matches. ``topic``
    (without the deployment's prefix) and ``partitions`` (None: the deployment's
    default) only for ``send``; ``tags`` only for ``tag``."""

    name: str
    topic: str | None
    partitions: int | None
    action: str
    tags: tuple[str, ...]
    condition: Condition | None
    description: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The route in canonical form: every default spelled out, conditions normalized."""
        out: dict[str, Any] = {"name": self.name, "action": self.action}
        if self.topic is not None:
            out["topic"] = self.topic
        if self.partitions is not None:
            out["partitions"] = self.partitions
        if self.tags:
            out["tags"] = list(self.tags)
        if self.condition is not None:
            out["when"] = self.condition.to_json()
        if self.description is not None:
            out["description"] = self.description
        return out


@dataclass(frozen=True, eq=False)
class RuleSet:
    """A whole rules file, validated and compiled. Two rule sets are equal when their
    versions are: the version is a hash of the canonical form, so comments, key order
    and shorthand spellings do not change it; any change of meaning does."""

    version: str
    source_name: str
    routes: tuple[Route, ...]
    default_route: str
    _rules: tuple[Route, ...] = field(repr=False, default=())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RuleSet) and other.version == self.version

    def __hash__(self) -> int:
        return hash(self.version)

    @staticmethod
    def build(source_name: str, routes: tuple[Route, ...], default_route: str) -> RuleSet:
        """A rule set from validated routes (the loader's last step): computes the version."""
        doc = canonical_document(routes, default_route)
        digest = hashlib.sha256(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)).hexdigest()
        rules = tuple(r for r in routes if r.name != default_route)
        return RuleSet("sha256:" + digest[:12], source_name, routes, default_route, rules)

    def canonical(self) -> dict[str, Any]:
        """The rules in canonical form, itself a valid rules document."""
        return canonical_document(self.routes, self.default_route)

    def route(self, name: str) -> Route:
        """The route called ``name`` (KeyError if none)."""
        for r in self.routes:
            if r.name == name:
                return r
        raise KeyError(name)

    @property
    def topics(self) -> dict[str, str]:
        """Route name -> topic (unprefixed) of every ``send`` route, the default's included:
        the topics a worker must have before it routes with this set."""
        return {r.name: r.topic for r in self.routes if r.action == "send" and r.topic}

    def to_json(self) -> bytes:
        """The rule set as one JSON document, for the ``news.config`` topic."""
        return orjson.dumps(
            {
                "format": WIRE_FORMAT,
                "version": self.version,
                "source": self.source_name,
                "rules": self.canonical(),
            },
            option=orjson.OPT_SORT_KEYS,
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> RuleSet:
        """A rule set sent by `to_json`, validated again (a message on a topic is input
        like any other); `RulesError` when invalid or when its version does not match
        its rules."""
        from newsflow.core.rules.loader import load_wire

        return load_wire(data)


def canonical_document(routes: tuple[Route, ...], default_route: str) -> dict[str, Any]:
    return {"default": default_route, "routes": [r.to_json() for r in routes]}


@dataclass(frozen=True)
class Decision:
    """Where one article goes. ``routes``: unique route names in file order; the default
    route when no send rule matched; empty only when ``dropped``. ``explain``: one line
    per rule (and one for the outcome) when asked for, else empty."""

    routes: tuple[str, ...]
    tags: tuple[str, ...]
    dropped: bool
    version: str
    explain: list[str] = field(default_factory=list)
    dropped_by: str | None = None


def evaluate(
    rules: RuleSet,
    enriched: object,
    now: datetime,
    *,
    explain: bool = False,
    words: Mapping[str, frozenset[str]] | None = None,
) -> Decision:
    """Apply ``rules`` to an enriched record (any shape: missing or odd fields make
    conditions false, never an exception). ``now`` anchors ``age`` conditions (naive:
    taken as UTC). ``words`` may give fields' folded words (`fold_words` of the field's
    first `MAX_WORDS_CHARS` characters, as a set) when the caller has them already.
    See the module docstring for precedence."""
    facts = Facts(enriched, now, words)
    routes: list[str] = []
    tags: list[str] = []
    dropped_by: str | None = None
    lines: list[str] = []
    for rule in rules._rules:
        cond = rule.condition
        if explain:
            ok, why = (True, "always") if cond is None else cond.explain(facts)
        else:
            ok, why = (cond is None or cond.test(facts)), ""
        if explain:
            lines.append(_explain_line(rule, ok, why))
        if not ok:
            continue
        if rule.action == "send":
            if rule.name not in routes:
                routes.append(rule.name)
        elif rule.action == "drop":
            if dropped_by is None:
                dropped_by = rule.name
        else:
            tags.extend(t for t in rule.tags if t not in tags)
    if dropped_by is not None:
        final: tuple[str, ...] = ()
        if explain:
            lines.append(f"=> dropped by {dropped_by}")
    elif routes:
        final = tuple(routes)
        if explain:
            lines.append("=> " + ", ".join(routes))
    else:
        final = (rules.default_route,)
        if explain:
            lines.append(f"=> {rules.default_route} (default: no send rule matched)")
    return Decision(final, tuple(tags), dropped_by is not None, rules.version, lines, dropped_by)


def _explain_line(rule: Route, ok: bool, why: str) -> str:
    if rule.action == "send":
        verb = f"send to {rule.topic}" if ok else "no"
    elif rule.action == "drop":
        verb = "DROP" if ok else "no"
    else:
        verb = f"tag {', '.join(rule.tags)}" if ok else "no"
    return f"{rule.name}: {verb} ({why})"


def facts_for(enriched: object, now: datetime) -> Facts:
    """The facts of a record (exported for benchmarks and tests)."""
    return Facts(enriched, now)
