"""The stage process pool against real child processes: limits that really stop work."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from newsflow.core.errors import PipelineError
from newsflow.isolation import PoolBroken, StagePool


def _sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _die(code: int) -> None:
    os._exit(code)


def _allocate(megabytes: int) -> int:
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def _fail_to_start() -> None:
    raise RuntimeError("the model file is missing")


@pytest.fixture(scope="module")
def pool() -> Iterator[StagePool]:
    with StagePool("test", time_limit=1.0, memory_mb=1024) as stage_pool:
        yield stage_pool


def test_a_call_past_the_limit_is_killed_and_the_next_call_gets_a_fresh_process(
    pool: StagePool,
) -> None:
    first = pool.run_sync(_sleep, 0.0)
    with pytest.raises(PipelineError) as err:
        pool.run_sync(_sleep, 30.0)
    assert err.value.kind == "timeout"
    assert "1 s limit" in err.value.message
    second = pool.run_sync(_sleep, 0.0)
    assert second != first  # the stuck child was replaced, not waited for


def test_a_child_that_dies_fails_one_call_as_crashed(pool: StagePool) -> None:
    with pytest.raises(PipelineError) as err:
        pool.run_sync(_die, 3)
    assert err.value.kind == "crashed"
    assert "exit code 3" in err.value.message
    assert pool.run_sync(_sleep, 0.0) > 0


def test_the_memory_cap_turns_a_memory_bomb_into_an_error_of_one_call(pool: StagePool) -> None:
    with pytest.raises(MemoryError):
        pool.run_sync(_allocate, 4096)
    assert pool.run_sync(_allocate, 8) == 8 * 1024 * 1024


async def test_the_async_form_reports_the_same_failures(pool: StagePool) -> None:
    assert await pool.run(_sleep, 0.0) > 0
    with pytest.raises(PipelineError, match="timeout"):
        await pool.run(_sleep, 30.0)


def test_a_child_that_cannot_warm_up_is_a_broken_pool_not_a_message_error() -> None:
    with (
        StagePool("broken", time_limit=5.0, warm=_fail_to_start) as broken,
        pytest.raises(PoolBroken, match="cannot start"),
    ):
        broken.warm_sync()


def test_a_function_by_name_runs_in_the_child_without_being_imported_here() -> None:
    import pickle
    import subprocess
    import sys

    from newsflow.isolation import ByName

    twice = ByName("operator:mul")
    assert pickle.loads(pickle.dumps(twice))(3, 2) == 6
    # `newsflow process` imports neither the entity stack nor Faust in the parent.
    probe = (
        "import sys, newsflow.offline; "
        "print(any(m.startswith(('faust', 'newsflow.entities')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
