"""`newsflow demo` is the README's first command: run it the way a newcomer does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsflow.brokers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]


def test_demo_runs_end_to_end_on_the_embedded_broker(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "NEWSFLOW_DATA_DIR": str(tmp_path),
        "NEWSFLOW_BROKER": f"kafka://127.0.0.1:{free_port()}",
    }
    env.pop("NEWSFLOW_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "newsflow.cli", "demo", "--kind", "tansu", "--timeout", "150"],
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "dead letter(s) of" in out and "persisted" in out
    # The three self-written sample pages, with their dates to the minute.
    assert "الرئيس الإيراني والروسي يؤكدان" in out
    assert "رئیسی و پوتین" in out
    assert "Raisi and Putin" in out
    assert "2024-03-19T14:37:00+03:30" in out
    assert "فلاديمير بوتين" in out
    assert '"sink":{"ok":' in out
    assert "done in " in out
    # The demo stops what it started: no broker left on that port.
    status = subprocess.run(
        [sys.executable, "-m", "newsflow.cli", "broker", "status", "--kind", "tansu"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert status.returncode == 1, status.stdout
