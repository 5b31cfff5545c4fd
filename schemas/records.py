"""One `faust.Record` per pipeline stage: the wire contract of every topic.

Derived, not written: each record is built from its shape in `newsflow.core.types`
(the single source of the fields, their defaults and descriptions), nested shapes
becoming nested records. Namespaces are stable: renaming a record or changing a
field's meaning bumps `SCHEMA_VERSION` and the exported JSON Schema.
"""

from __future__ import annotations

import functools
import operator
import types
import typing
from typing import Any

import faust

from newsflow.core import types as shapes
from newsflow.core.types import SCHEMA_VERSION, Default

NAMESPACE = f"newsflow.v{SCHEMA_VERSION}"
_NO_DEFAULT = object()
# Shapes already turned into records, so nested shapes map onto the same class.
_BUILT: dict[type, type[faust.Record]] = {}


def _unwrap(hint: Any) -> tuple[Any, Any]:
    """The field's type without ``NotRequired``/``Annotated``, and its `Default`."""
    default = _NO_DEFAULT
    while True:
        origin = typing.get_origin(hint)
        if origin in (typing.NotRequired, typing.Required):
            (hint,) = typing.get_args(hint)
        elif origin is typing.Annotated:
            hint, *extras = typing.get_args(hint)
            for extra in extras:
                if isinstance(extra, Default):
                    default = extra.value
        else:
            return hint, default


def _wire(hint: Any) -> Any:
    """``hint`` with every shape replaced by its record (``list[EntityDict]`` →
    ``list[Entity]``)."""
    if isinstance(hint, type) and hint in _BUILT:
        return _BUILT[hint]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is list:
        return list[_wire(args[0])]  # type: ignore[misc]
    if origin is dict:
        return dict[_wire(args[0]), _wire(args[1])]  # type: ignore[misc]
    if origin in (typing.Union, types.UnionType):
        return functools.reduce(operator.or_, [_wire(a) for a in args])
    return hint


def record(shape: type, name: str) -> type[faust.Record]:
    """The `faust.Record` of a TypedDict ``shape``: its fields in order (those with a
    `Default` last, as Faust requires), its defaults and its docstring."""
    hints = typing.get_type_hints(shape, include_extras=True)
    required: dict[str, Any] = {}
    optional: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    for field, hint in hints.items():
        bare, default = _unwrap(hint)
        if default is _NO_DEFAULT:
            required[field] = _wire(bare)
        else:
            optional[field] = _wire(bare)
            defaults[field] = default
    body = {
        "__annotations__": {**required, **optional},
        "__doc__": shape.__doc__,
        "__module__": __name__,
        "__qualname__": name,
        **defaults,
    }
    built = types.new_class(
        name,
        (faust.Record,),
        {"namespace": f"{NAMESPACE}.{name}", "serializer": "json"},
        lambda ns: ns.update(body),
    )
    _BUILT[shape] = built
    return built


# Inner shapes first: the records that contain them refer to their classes.
Mention = record(shapes.MentionDict, "Mention")
Entity = record(shapes.EntityDict, "Entity")
Article = record(shapes.ArticleDict, "Article")
Routing = record(shapes.RoutingDict, "Routing")
EnrichedArticle = record(shapes.EnrichedArticleDict, "EnrichedArticle")
RawPage = record(shapes.RawPageDict, "RawPage")
DeadLetter = record(shapes.DeadLetterDict, "DeadLetter")
ArticleQuality = record(shapes.ArticleQualityDict, "ArticleQuality")
NamedId = record(shapes.NamedIdDict, "NamedId")
StageOutcome = record(shapes.StageOutcomeDict, "StageOutcome")
StageEvent = record(shapes.StageEventDict, "StageEvent")
RulesMessage = record(shapes.RulesMessageDict, "RulesMessage")

# Every record a topic carries (exported as JSON Schema), in pipeline order.
RECORDS: tuple[type[faust.Record], ...] = (
    RawPage,
    Article,
    EnrichedArticle,
    DeadLetter,
    StageEvent,
    RulesMessage,
)
