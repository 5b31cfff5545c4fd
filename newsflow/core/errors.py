"""One exception type for every expected failure, so agents can dead-letter by kind."""

from __future__ import annotations


class PipelineError(Exception):
    """A failure that belongs in the dead-letter topic rather than in a crash.

    `kind` is a short stable word (``decode``, ``schema``, ``charset``, ``empty``,
    ``too_large``, ``not_html``, ``parse``, ``timeout``, ``enrich``, ``route``,
    ``sink``) that operators can group and alert on; the message is for people.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"
