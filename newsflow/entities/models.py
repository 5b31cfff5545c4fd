"""Which CRF model tags which language: the shipped ones (``newsflow/data/tagger-<lang>
.crfsuite``), those a user configured (``NEWSFLOW_TAGGER_MODELS``), and borrowed ones;
each loaded once per process.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from newsflow.entities.tagger import (
    Tagger,
    configured_languages,
    model_path,
)

# A language without a model of its own may borrow another's (language -> donor): a
# borrowed model only fills the gazetteer's gaps; a language's own model decides. None
# is borrowed now: Persian did borrow the Arabic model (its language-independent
# features lifted the gazetteer alone, ParsTwiNER dev layered micro F1 0.40 -> 0.46)
# until it got one of its own, `tagger-fa.crfsuite` (0.74).
BORROWED_MODELS: Mapping[str, str] = {}


_KNOWN_LANGUAGES = ("ar", "fa", "en")  # languages a model may be shipped for


def tagger_model(language: str) -> tuple[Path, bool] | None:
    """The model that tags ``language`` and whether it was trained on it; None: no model."""
    own = model_path(language)
    if own is not None:
        return own, True
    donor = BORROWED_MODELS.get(language)
    borrowed = model_path(donor) if donor else None
    return (borrowed, False) if borrowed is not None else None


def tagger_languages() -> frozenset[str]:
    """Languages a CRF model tags (their own model, or a borrowed one)."""
    langs = {*_KNOWN_LANGUAGES, *BORROWED_MODELS, *configured_languages()}
    return frozenset(lang for lang in langs if tagger_model(lang) is not None)


def trained_languages() -> frozenset[str]:
    """Languages with a model of their own: there it decides extents and types."""
    return frozenset(lang for lang in tagger_languages() if model_path(lang) is not None)


@functools.cache
def load_tagger(path: Path) -> Tagger:
    """The model at ``path``, loaded once per process."""
    return Tagger(path)
