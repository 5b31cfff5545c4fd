"""Paths shared by every test tier."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
CORPUS = SHARED / "corpus"
EXAMPLES = REPO / "examples" / "pages"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared development corpus; tests that need it skip loudly when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS
