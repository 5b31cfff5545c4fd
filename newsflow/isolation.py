"""Run a stage's pure function in a child process that a time limit can really stop.

A thread cannot be interrupted: a page whose tree build is quadratic, or an
enrichment that runs away on megabytes of text, would hold it (and every page
queued behind it) for minutes. Each `StagePool` keeps one warm child process
(pebble's `ProcessPool`, measured at about 0.2 ms of overhead a call against a
4-10 ms stage); when a call runs past its limit the child is killed and a fresh
one is started, and the call fails with ``timeout``. A child that dies (out of
memory, a segfault in a C extension) fails the call with ``crashed`` and is
replaced the same way. The address space of a child is capped, so a memory bomb
fails one call with ``memory`` instead of taking the machine down.

Children are started with ``spawn``: the worker's event loop, Kafka clients and
threads are never forked.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import importlib
import logging
import multiprocessing
import os
import resource
import signal
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from pebble import ProcessExpired, ProcessPool

from newsflow.core.errors import PipelineError

log = logging.getLogger("newsflow.isolation")

P = ParamSpec("P")
R = TypeVar("R")

# Signals whose exit codes say "killed for memory" rather than "crashed".
_KILLED = {-signal.SIGKILL}


def _child_init(
    memory_mb: int, log_level: str, warm: Callable[..., object] | None, warm_args: tuple[Any, ...]
) -> None:
    """Runs once in every new child: limits, logging, then the stage's warm-up."""
    # Ctrl-C in a terminal reaches the whole process group; the parent decides when
    # children stop, so they ignore it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    logging.basicConfig(
        level=logging.WARNING,
        format=f"[%(asctime)s] [{os.getpid()}] [%(levelname)s] %(name)s: %(message)s",
    )
    logging.getLogger("newsflow").setLevel(log_level.upper())
    if warm is not None:
        warm(*warm_args)


def _ping() -> int:
    return os.getpid()


class PoolBroken(Exception):
    """The child cannot start (its warm-up fails): a fault of the worker, not of a message."""


class StagePool:
    """One warm child process for one stage, with a per-call time limit."""

    def __init__(
        self,
        name: str,
        *,
        time_limit: float,
        memory_mb: int = 0,
        log_level: str = "info",
        warm: Callable[..., object] | None = None,
        warm_args: tuple[Any, ...] = (),
    ) -> None:
        self.name = name
        self.time_limit = time_limit
        self.memory_mb = memory_mb
        self._initargs = (memory_mb, log_level, warm, warm_args)
        self._pool = self._new_pool()
        self.restarts = 0

    def _new_pool(self) -> ProcessPool:
        return ProcessPool(
            max_workers=1,
            initializer=_child_init,
            initargs=self._initargs,
            context=multiprocessing.get_context("spawn"),
        )

    def reset(self) -> None:
        """Replace a broken pool with a new one (after its cause may have been fixed)."""
        with contextlib.suppress(Exception):
            self._pool.stop()  # type: ignore[no-untyped-call]
        self._pool = self._new_pool()

    def _error(self, exc: BaseException) -> PipelineError:
        if isinstance(exc, concurrent.futures.TimeoutError):
            self.restarts += 1
            return PipelineError(
                "timeout",
                f"{self.name} ran past its {self.time_limit:g} s limit; "
                "its process was killed and replaced",
            )
        if isinstance(exc, ProcessExpired):
            self.restarts += 1
            code = exc.exitcode
            if code in _KILLED and self.memory_mb:
                return PipelineError(
                    "crashed",
                    f"{self.name} process was killed (signal {-code}), "
                    f"probably out of memory (limit {self.memory_mb} MB)",
                )
            return PipelineError("crashed", f"{self.name} process died (exit code {code})")
        raise exc

    async def run(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """``fn(*args, **kwargs)`` in the child; ``timeout`` / ``crashed`` as PipelineError.

        Exceptions raised by ``fn`` itself propagate as they are (stage functions
        return their failures as data, so this only happens on a pickling bug).
        """
        future = self._pool.schedule(fn, args=args, kwargs=kwargs, timeout=self.time_limit)
        try:
            return await asyncio.wrap_future(future)
        except (concurrent.futures.TimeoutError, ProcessExpired) as exc:
            raise self._error(exc) from None
        except BrokenProcessPool as exc:
            raise PoolBroken(f"{self.name} process cannot start: {exc}") from exc
        except asyncio.CancelledError:
            future.cancel()  # type: ignore[no-untyped-call] # pebble stops the child if it had started the call
            raise

    def run_sync(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """The same as `run`, for callers without an event loop (`newsflow process`)."""
        future = self._pool.schedule(fn, args=args, kwargs=kwargs, timeout=self.time_limit)
        try:
            return future.result()
        except (concurrent.futures.TimeoutError, ProcessExpired) as exc:
            raise self._error(exc) from None
        except BrokenProcessPool as exc:
            raise PoolBroken(f"{self.name} process cannot start: {exc}") from exc

    async def warm(self) -> int:
        """Wait until the child has started and run its warm-up; returns its pid."""
        return await self.run(_ping)

    def warm_sync(self) -> int:
        """`warm` without an event loop."""
        return self.run_sync(_ping)

    def close(self) -> None:
        """Stop the child now: whatever it runs is abandoned (its message is not acked)."""
        self._pool.stop()  # type: ignore[no-untyped-call]
        self._pool.join(timeout=10)

    def __enter__(self) -> StagePool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class ByName:
    """A module-level function named ``"module:function"``, imported where it is called.

    A stage pool pickles the function it runs by reference, so the caller must have
    imported its module; for `newsflow process` that meant the enrich stage's whole
    entity stack (and Faust, through the agents) in the parent, which runs neither:
    about a third of a second of start-up. This stand-in pickles as its name and
    imports the module in the child on first call.
    """

    target: str

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        module, _, name = self.target.partition(":")
        return getattr(importlib.import_module(module), name)(*args, **kwargs)
