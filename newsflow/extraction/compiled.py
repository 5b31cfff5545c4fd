"""The compiled parse passes (``_lexwalk.pyx``, built by ``pip install``), when present.

Callers may still ask for the Python passes (``compiled=False``, from ``ParseOptions``),
which give the same results: the switch is for debugging and for the equivalence tests.
Read as ``compiled.lexwalk`` at call time, so a test can switch it off in one place.
"""

from __future__ import annotations

import importlib
from typing import Any

lexwalk: Any = None
try:
    lexwalk = importlib.import_module("newsflow.extraction._lexwalk")
except ImportError:  # not built (no compiler, other selectolax): the Python passes
    lexwalk = None
COMPILED_AVAILABLE = lexwalk is not None
