"""The routing rule language: routes that operators declare in a YAML file.

A rules file lists routes (a name, a topic, optional partitions), each with a
condition over the enriched article (`when`) and an action (send, drop, tag); articles
that no send rule takes go to the default route. `load_file` validates a file and
reports every problem with its file and line; `evaluate` decides one article's routes.
The package is pure: no Kafka, no Faust, no database; the worker and the command line
bring the rules in and out. The README's "Routing rules" section is the user's guide;
`rules.schema.json` is the format for editors.
"""

from newsflow.core.rules.conditions import MAX_PATTERN_CHARS, MAX_WORDS_CHARS
from newsflow.core.rules.loader import (
    CONDITIONS,
    DEFAULT_ROUTE,
    RuleIssue,
    RulesError,
    default_rules,
    load_document,
    load_file,
    load_text,
    load_wire,
    schema,
)
from newsflow.core.rules.model import Decision, Route, RuleSet, evaluate

__all__ = [
    "CONDITIONS",
    "DEFAULT_ROUTE",
    "MAX_PATTERN_CHARS",
    "MAX_WORDS_CHARS",
    "Decision",
    "Route",
    "RuleIssue",
    "RuleSet",
    "RulesError",
    "default_rules",
    "evaluate",
    "load_document",
    "load_file",
    "load_text",
    "load_wire",
    "schema",
]
