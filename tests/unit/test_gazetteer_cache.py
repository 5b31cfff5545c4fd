"""The gazetteer is built once per version and kept in the cache directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsflow.entities import gazetteer as entities
from newsflow.entities.ner import extract_entities, extractor_version


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Path]:
    entities.use_cache_dir(tmp_path)
    entities.gazetteer.cache_clear()
    yield tmp_path
    entities.use_cache_dir(None)
    entities.gazetteer.cache_clear()


def test_built_once_then_loaded_equal(cache: Path) -> None:
    built = entities.gazetteer()
    files = list(cache.iterdir())
    assert [f.name for f in files] == [f"gazetteer-{entities.gazetteer_version()}.pickle"]
    entities.gazetteer.cache_clear()
    loaded = entities.gazetteer()
    assert loaded is not built
    assert (loaded.keys, loaded.patterns, loaded.entities, loaded.strong_keys) == (
        built.keys,
        built.patterns,
        built.entities,
        built.strong_keys,
    )
    text = "التقى فلاديمير بوتين في موسكو"
    assert extract_entities({"body": text}, "ar")


def test_a_damaged_cache_file_is_rebuilt(cache: Path, caplog: pytest.LogCaptureFixture) -> None:
    entities.gazetteer()
    (path,) = cache.iterdir()
    path.write_bytes(b"not a pickle")
    entities.gazetteer.cache_clear()
    rebuilt = entities.gazetteer()
    assert "unreadable" in caplog.text
    assert rebuilt.keys
    assert path.read_bytes() != b"not a pickle"  # replaced by the new build
    entities.gazetteer.cache_clear()
    assert entities.gazetteer().keys == rebuilt.keys


def test_version_names_the_inputs() -> None:
    version = entities.gazetteer_version()
    assert len(version) == 12 and int(version, 16) >= 0
    assert extractor_version().startswith(f"g{version}.t")
