"""One exception type for every expected failure, so agents can dead-letter by kind."""

from __future__ import annotations


class PipelineError(Exception):
    """A failure that belongs in the dead-letter topic rather than in a crash.

    `kind` is a short stable word that operators can group and alert on; the message
    is for people. Input: ``decode`` (not JSON), ``schema`` (wrong shape), ``url``
    (not absolute http(s)), ``empty``, ``too_large``, ``too_complex`` (markup whose
    tree would cost too much time or memory to build: nesting, attributes, names,
    formatting clones; ``markup.check_markup``; refused before building it, the
    message says what, how much and the limit), ``charset``, ``not_html``. Work:
    ``parse``, ``enrich``, ``route``, ``sink``. Limits of the stage process:
    ``timeout``, ``memory``, ``crashed``. Delivery: ``send`` (the broker refused an
    output for good). ``internal``: a bug, with the original exception as the cause.
    The README's operator section lists the same kinds.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"
