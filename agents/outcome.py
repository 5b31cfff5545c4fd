"""What a stage function returns: outputs to send, or a failure, as plain picklable data.

Stage functions run in a child process (see `newsflow.isolation`), so their
results cross a pipe. Exceptions do not pickle reliably (`PipelineError` takes two
arguments) and a failure is an expected result anyway: it travels as `Failure`.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass

from newsflow.core.errors import PipelineError


@dataclass(frozen=True, slots=True)
class Output:
    """One record to send: ``topic`` is a role of `streams.Topics` (``articles``,
    ``enriched``) or ``route:<name>``."""

    topic: str
    key: bytes | None
    value: bytes


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a message became a dead letter. ``detail`` holds a traceback when the
    failure is a bug (kind ``internal``), for the worker's log."""

    kind: str
    message: str
    detail: str | None = None

    @classmethod
    def of(cls, exc: BaseException) -> Failure:
        """Any exception as a failure: expected kinds as they are, the rest as a bug."""
        if isinstance(exc, PipelineError):
            cause = exc.__cause__
            detail = None
            if exc.kind == "internal" and cause is not None:
                detail = "".join(traceback.format_exception(cause))
            return cls(exc.kind, exc.message, detail)
        if isinstance(exc, MemoryError):
            return cls("memory", "the message needed more memory than a stage may use")
        return cls(
            "internal",
            f"{type(exc).__name__}: {exc}",
            "".join(traceback.format_exception(exc)),
        )

    def error(self) -> PipelineError:
        """The failure as the exception the dead-letter builder takes."""
        return PipelineError(self.kind, self.message)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one message: its outputs, or the failure; plus the source and URL
    for the counters and the dead letter."""

    outputs: tuple[Output, ...] = ()
    failure: Failure | None = None
    source: str | None = None
    url: str | None = None

    @classmethod
    def failed(cls, exc: BaseException, *, source: str | None, url: str | None) -> Outcome:
        """The outcome of a message whose stage function raised ``exc``."""
        return cls(failure=Failure.of(exc), source=source, url=url)
