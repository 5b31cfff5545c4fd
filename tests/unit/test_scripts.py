"""The scripts in scripts/ are run like the rest of the code: at least their command
line must start and explain itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize(
    ("script", "option"),
    [
        ("train_tagger.py", "--train-corpora"),
        ("build_places.py", "--libgeonames"),
        ("build_tagger_lexicon.py", "--"),
        ("fuzz_parse.py", "--seconds"),
    ],
)
def test_script_help(script: str, option: str) -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    assert "usage:" in out.stdout and option in out.stdout
