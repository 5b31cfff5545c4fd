"""The scripts in scripts/ are run like the rest of the code: at least their command
line must start and explain itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_train_tagger_help() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "train_tagger.py"), "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    assert "usage:" in out.stdout and "--" in out.stdout


def test_build_places_help() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_places.py"), "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    assert "usage:" in out.stdout and "--libgeonames" in out.stdout
