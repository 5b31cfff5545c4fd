"""The Kafka lib folder must hold the operator tools, not only the broker.

A lib folder assembled before kafka-tools was added to dev/kafka/pom.xml has a valid
``.complete`` marker and the broker jar; ``ensure_kafka_jars`` must still see it as
incomplete and let mvn fill in the tools, or dev/kafka/bin/ would fail with
ClassNotFoundException on that checkout forever.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from newsflow.brokers import BrokerError, kafka

_BROKER_JAR = f"kafka_2.13-{kafka.KAFKA_VERSION}.jar"
_TOOLS_JAR = f"kafka-tools-{kafka.KAFKA_VERSION}.jar"


def _old_lib(path: Path) -> Path:
    """A lib folder as an older checkout left it: marker and broker jar, no tools."""
    path.mkdir()
    (path / _BROKER_JAR).write_bytes(b"")
    (path / ".complete").write_text(kafka.KAFKA_VERSION + "\n")
    return path


def _fake_mvn(tmp_path: Path, jars: list[str]) -> Path:
    """An ``mvn`` that 'copies' ``jars`` into -DoutputDirectory and logs that it ran."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "mvn"
    # Builtins only: PATH holds nothing but this folder.
    touches = "".join(f': > "$out/{name}"\n' for name in jars)
    script.write_text(
        "#!/bin/sh\n"
        'for arg in "$@"; do case $arg in -DoutputDirectory=*) out=${arg#*=};; esac; done\n'
        f'echo ran >> "{tmp_path}/mvn.log"\n' + touches
    )
    script.chmod(0o755)
    return bin_dir


def test_required_jars_are_broker_and_tools() -> None:
    assert set(kafka.REQUIRED_JARS) == {_BROKER_JAR, _TOOLS_JAR}


def test_missing_jars_names_what_is_absent(tmp_path: Path) -> None:
    assert kafka.missing_jars(tmp_path / "nowhere") == list(kafka.REQUIRED_JARS)
    assert kafka.missing_jars(_old_lib(tmp_path / "lib")) == [_TOOLS_JAR]


def test_old_lib_without_tools_is_completed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = _old_lib(tmp_path / "lib")
    monkeypatch.setenv("PATH", str(_fake_mvn(tmp_path, [_TOOLS_JAR])))
    assert kafka.ensure_kafka_jars(lib) == lib.resolve()
    assert (tmp_path / "mvn.log").read_text() == "ran\n"
    assert (lib / _TOOLS_JAR).is_file()
    assert kafka.missing_jars(lib) == []
    # Complete now: a second call does not run mvn again.
    kafka.ensure_kafka_jars(lib)
    assert (tmp_path / "mvn.log").read_text() == "ran\n"


def test_mvn_that_leaves_out_the_tools_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = _old_lib(tmp_path / "lib")
    monkeypatch.setenv("PATH", str(_fake_mvn(tmp_path, [])))
    with pytest.raises(BrokerError, match=_TOOLS_JAR):
        kafka.ensure_kafka_jars(lib)


def test_pom_lists_tools_at_the_broker_version() -> None:
    """The jar names above only exist if the pom pins both artifacts to KAFKA_VERSION,
    keeps Connect's runtime out and brings no logback."""
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    root = ET.parse(kafka.DEFAULT_POM).getroot()
    assert root.findtext("m:properties/m:kafka.version", namespaces=ns) == kafka.KAFKA_VERSION
    deps = {
        dep.findtext("m:artifactId", namespaces=ns): dep
        for dep in root.iterfind("m:dependencies/m:dependency", ns)
    }
    for artifact in ("kafka_2.13", "kafka-tools"):
        dep = deps[artifact]
        assert dep.findtext("m:version", namespaces=ns) == "${kafka.version}"
        excluded = {
            ex.findtext("m:groupId", namespaces=ns)
            for ex in dep.iterfind("m:exclusions/m:exclusion", ns)
        }
        assert "ch.qos.logback" in excluded
    tools_excluded = {
        ex.findtext("m:artifactId", namespaces=ns)
        for ex in deps["kafka-tools"].iterfind("m:exclusions/m:exclusion", ns)
    }
    assert "connect-runtime" in tools_excluded
