"""Coverage-guided fuzzing of the parse stage with atheris (libFuzzer for Python).

Runs `agents.parse.handle` in this process on inputs that libFuzzer mutates towards new
coverage of newsflow's Python code, and stops at the first input that breaks the stage's
contract: an ``internal`` failure (a bug by definition), a failure of an unknown kind, an
article that does not validate, an exception out of ``handle``, a call slower than
``--timeout`` or a process above ``--rss-mb``. libFuzzer then writes the input to
``--artifacts`` (``crash-…``, ``timeout-…``, ``oom-…``); replay one with
``scripts/fuzz_parse.py --artifacts DIR FILE``.

The first byte of an input says what the rest is: the whole Kafka message value, the raw
bytes of a page (sent as ``body_b64`` with the declared charset drawn from the input), or
the page's decoded text (sent as ``html``). The seed corpus is the example pages and a few
small pages of the shared corpus, in each form. Usage::

    .venv/bin/python scripts/fuzz_parse.py --seconds 600
    .venv/bin/python scripts/fuzz_parse.py --seconds 60 -- -jobs=1 -dict=my.dict  # libFuzzer flags

atheris is in the ``dev`` extra on Linux x86_64 (the only platform it ships wheels for).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = ROOT / "var" / "fuzz" / "parse-corpus"
DEFAULT_ARTIFACTS = ROOT / "var" / "fuzz" / "parse-artifacts"
EXAMPLE_PAGES = ROOT / "examples" / "pages"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
URL = "https://example.org/news/2024/03/19/story-1"
# The parse stage's own failure kinds; anything else (``internal`` first) is a finding.
KNOWN_KINDS = frozenset(
    {"decode", "schema", "empty", "too_large", "charset", "not_html", "parse", "timeout", "url"}
    | {"memory"}
)
CHARSETS = (None, "utf-8", "windows-1256", "windows-1252", "utf-16", "koi8-r", "bogus", "zlib")
MODE_VALUE, MODE_BYTES, MODE_TEXT = 0, 1, 2


class ContractBroken(Exception):
    """The parse stage answered in a way the worker cannot turn into an article or a dead letter."""


def to_message(data: bytes) -> bytes:
    """The Kafka message value a fuzzer input stands for (module docstring)."""
    import orjson

    if not data:
        return data
    mode, rest = data[0] % 3, data[1:]
    if mode == MODE_VALUE:
        return rest
    if mode == MODE_BYTES:
        charset = CHARSETS[rest[0] % len(CHARSETS)] if rest else None
        body = base64.b64encode(rest[1:]).decode("ascii")
        return orjson.dumps({"url": URL, "body_b64": body, "charset": charset, "source": "fuzz"})
    return orjson.dumps({"url": URL, "html": rest.decode("utf-8", "replace"), "source": "fuzz"})


def seed_inputs(limit: int) -> list[bytes]:
    """Example pages and the smallest pages of the shared corpus, in each input form."""
    pages = [path.read_bytes() for path in sorted(EXAMPLE_PAGES.glob("*.html"))]
    if SHARED_CORPUS.is_dir():
        found = sorted(SHARED_CORPUS.glob("*/pages/*.html.gz"), key=lambda p: p.stat().st_size)
        pages += [gzip.decompress(path.read_bytes()) for path in found[:limit]]
    import orjson

    seeds = []
    for page in pages:
        seeds.append(bytes([MODE_BYTES, 1]) + page)
        seeds.append(bytes([MODE_TEXT]) + page)
        value = orjson.dumps({"url": URL, "html": page.decode("utf-8", "replace")})
        seeds.append(bytes([MODE_VALUE]) + value)
    return seeds


def write_seeds(corpus: Path, limit: int) -> int:
    """Fill an empty corpus folder with the seeds; returns how many files it holds."""
    corpus.mkdir(parents=True, exist_ok=True)
    if not any(corpus.iterdir()):
        for seed in seed_inputs(limit):
            (corpus / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    return sum(1 for _ in corpus.iterdir())


def make_target(atheris: Any) -> Callable[[bytes], None]:
    """The function libFuzzer calls, with newsflow's modules instrumented for coverage."""
    with atheris.instrument_imports(include=["newsflow"]):
        from newsflow.agents.parse import handle
        from newsflow.extraction.parse import ParseOptions
        from newsflow.schemas.codec import decode
        from newsflow.schemas.records import Article

    options = ParseOptions(timeout_s=10.0)

    def target(data: bytes) -> None:
        value = to_message(data)
        outcome = handle(value, options)
        failure = outcome.failure
        if failure is None:
            (output,) = outcome.outputs
            decode(Article, output.value)
            return
        if failure.kind not in KNOWN_KINDS:
            raise ContractBroken(f"{failure.kind}: {failure.message}\n{failure.detail or ''}")

    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="Arguments after -- (or FILE arguments) go to libFuzzer as they are.",
    )
    parser.add_argument("--seconds", type=int, default=600, help="how long to fuzz (600)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus folder")
    parser.add_argument(
        "--artifacts", type=Path, default=DEFAULT_ARTIFACTS, help="where findings are written"
    )
    parser.add_argument("--timeout", type=int, default=20, help="seconds per input (20)")
    parser.add_argument("--rss-mb", type=int, default=2048, help="memory ceiling (2048 MB)")
    parser.add_argument("--max-len", type=int, default=262_144, help="longest input (256 KiB)")
    parser.add_argument("--seed-pages", type=int, default=40, help="corpus pages to seed (40)")
    parser.add_argument("libfuzzer", nargs="*", help="libFuzzer flags, or inputs to replay")
    args = parser.parse_args(argv)
    try:
        import atheris
    except ImportError:
        parser.exit(2, "atheris is not installed (pip install -e '.[dev]' on Linux x86_64)\n")

    args.artifacts.mkdir(parents=True, exist_ok=True)
    replay = [a for a in args.libfuzzer if not a.startswith("-")]
    flags = [a for a in args.libfuzzer if a.startswith("-")]
    fuzzer_argv = [
        sys.argv[0],
        f"-max_total_time={args.seconds}",
        f"-timeout={args.timeout}",
        f"-rss_limit_mb={args.rss_mb}",
        f"-max_len={args.max_len}",
        f"-artifact_prefix={args.artifacts}/",
        "-print_final_stats=1",
        *flags,
    ]
    if replay:
        fuzzer_argv += replay
    else:
        count = write_seeds(args.corpus, args.seed_pages)
        print(f"corpus {args.corpus}: {count} inputs", file=sys.stderr)
        fuzzer_argv.append(str(args.corpus))
    atheris.Setup(fuzzer_argv, make_target(atheris))
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
