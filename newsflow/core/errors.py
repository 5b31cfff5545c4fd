"""One exception type for every expected failure, so agents can dead-letter by kind."""

from __future__ import annotations


class PipelineError(Exception):
    """A failure that belongs in the dead-letter topic rather than in a crash.

    `kind` is a short stable word (``decode``, ``schema``, ``charset``, ``empty``,
    ``too_large``, ``not_html``, ``too_complex``, ``parse``, ``timeout``, ``enrich``,
    ``route``, ``sink``) that operators can group and alert on; the message is for
    people. ``too_complex``: markup whose tree would cost too much time or memory to
    build (nesting, attributes, names, formatting clones; ``markup.check_markup``),
    refused before building it; the message says what, how much and the limit.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"
