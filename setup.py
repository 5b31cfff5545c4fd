"""Build of the optional compiled passes (``newsflow/extraction/_lexwalk.pyx``, the parse
walk, ``newsflow/entities/_viterbi.pyx``, the entity tagger's decoder, and
``newsflow/entities/_textscan.pyx``, the entity layers' folding and tokenizing loops).

Why a setup.py: the extension reads selectolax's Lexbor structs, so it is compiled
against the Lexbor headers of the exact selectolax release installed (pinned in
pyproject.toml). The wheel ships only ``lexbor.pxd``; the headers come from the
same release's sdist on PyPI, fetched at build time and checked against its
sha256, then cached in the build directory. Nothing is fetched at run time. If any
of this fails the extension is left out and ``newsflow`` uses its Python passes,
which give the same results.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import urllib.request
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SELECTOLAX_SDIST = (
    "https://files.pythonhosted.org/packages/3a/24/"
    "1a8b1b1a7cc8734b626327badccb4fd0f6c745a8cfd1b625923b5f07dd84/selectolax-1.0.2.tar.gz"
)
SELECTOLAX_SHA256 = "f0508ad927aa426425d4aa7a2bb2f8b21c01412534465bd227e241d4d0a6a418"
HEADER_PREFIX = "selectolax-1.0.2/lexbor/source/"
# A local copy of the sdist (same sha256) for machines that build offline.
SDIST_ENV = "NEWSFLOW_SELECTOLAX_SDIST"


def _sdist_bytes() -> bytes:
    local = os.environ.get(SDIST_ENV)
    if local:
        return Path(local).read_bytes()
    with urllib.request.urlopen(SELECTOLAX_SDIST, timeout=120) as response:
        data: bytes = response.read()
    return data


def lexbor_headers(cache: Path) -> Path:
    """The directory holding ``lexbor/...`` headers, extracted once per build dir."""
    root = cache / "selectolax-1.0.2-lexbor"
    done = root / ".complete"
    if done.exists():
        return root
    data = _sdist_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SELECTOLAX_SHA256:
        raise RuntimeError(f"selectolax sdist sha256 {digest} != {SELECTOLAX_SHA256}")
    archive = cache / "selectolax-1.0.2.tar.gz"
    cache.mkdir(parents=True, exist_ok=True)
    archive.write_bytes(data)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            name = member.name
            if not (member.isfile() and name.startswith(HEADER_PREFIX) and name.endswith(".h")):
                continue
            rel = Path(name[len(HEADER_PREFIX) :])
            if rel.is_absolute() or ".." in rel.parts:
                continue
            source = tar.extractfile(member)
            if source is None:
                continue
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read())
    archive.unlink()
    done.write_text("ok\n")
    return root


class BuildCompiled(build_ext):
    """Cythonize each extension (the Lexbor headers only for ``_lexwalk``); an extension
    that fails to build is left out and its Python counterpart is used."""

    def run(self) -> None:
        built: list[Extension] = []
        for ext in self.extensions:
            try:
                from Cython.Build import cythonize

                if ext.name.endswith("_lexwalk"):
                    headers = lexbor_headers(Path(self.build_temp).resolve() / "lexbor-headers")
                    ext.include_dirs.append(str(headers))
                # cythonize's own Extension copies lack setuptools' finalized state:
                # keep the originals, with the generated C source.
                (cythonized,) = cythonize(
                    [Extension(ext.name, list(ext.sources))],
                    compiler_directives={"language_level": "3"},
                    quiet=True,
                )
                ext.sources = list(cythonized.sources)
                built.append(ext)
            except Exception as exc:  # noqa: BLE001 - optional: the Python code is used
                print(f"newsflow: {ext.name} not built ({exc!r}); its Python version is used")
        self.extensions = built
        super().run()


setup(
    ext_modules=[
        Extension(
            "newsflow.extraction._lexwalk",
            ["newsflow/extraction/_lexwalk.pyx"],
            extra_compile_args=["-O2"],
            optional=True,
        ),
        Extension(
            "newsflow.extraction._markup",
            ["newsflow/extraction/_markup.pyx"],
            extra_compile_args=["-O2"],
            optional=True,
        ),
        Extension(
            "newsflow.entities._viterbi",
            ["newsflow/entities/_viterbi.pyx"],
            extra_compile_args=["-O2"],
            optional=True,
        ),
        Extension(
            "newsflow.entities._textscan",
            ["newsflow/entities/_textscan.pyx"],
            extra_compile_args=["-O2"],
            optional=True,
        ),
    ],
    cmdclass={"build_ext": BuildCompiled},
)
