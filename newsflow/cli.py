"""The `newsflow` command: worker, publish, process, tail, broker, demo, schemas, config.

Options given on the command line win over ``NEWSFLOW_*`` variables, which win
over the defaults in `newsflow.settings.Settings` — the same order everywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import orjson

from newsflow import __version__
from newsflow.settings import Settings, SettingsError


def _settings(ctx: click.Context, **overrides: Any) -> Settings:
    base: dict[str, Any] = ctx.obj or {}
    try:
        return Settings.from_env(**{**base, **overrides})
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from exc


def _now() -> datetime:
    return datetime.now(UTC)


def _json_line(obj: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(obj) + b"\n")
    sys.stdout.buffer.flush()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsflow")
@click.option("--broker", help="Kafka bootstrap, e.g. kafka://127.0.0.1:9092 [NEWSFLOW_BROKER].")
@click.option(
    "--data-dir", type=click.Path(path_type=Path), help="State folder [NEWSFLOW_DATA_DIR]."
)
@click.option("--database-url", help="Sink database URL [NEWSFLOW_DATABASE_URL].")
@click.option("--topic-prefix", help="Prefix of every topic name [NEWSFLOW_TOPIC_PREFIX].")
@click.pass_context
def main(
    ctx: click.Context,
    broker: str | None,
    data_dir: Path | None,
    database_url: str | None,
    topic_prefix: str | None,
) -> None:
    """newsflow: parse, enrich, route and persist news pages on Kafka.

    Crawlers publish raw pages to news.raw; the worker's agents parse them,
    enrich them with entities, route them to news.topic.<route> and persist
    them. Every failure lands in news.dlq with the original bytes.
    """
    ctx.obj = {
        "broker": broker,
        "data_dir": data_dir,
        "database_url": database_url,
        "topic_prefix": topic_prefix,
    }


# ------------------------------------------------------------------ worker


@main.command()
@click.option("--web-port", type=int, help="Web port for tables as JSON [NEWSFLOW_WEB_PORT].")
@click.option("--app-id", help="Faust app id / consumer group [NEWSFLOW_APP_ID].")
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    help="Pipeline processes to run and supervise [NEWSFLOW_PROCESSES; default: cores].",
)
@click.option(
    "--role",
    type=click.Choice(["all", "pipeline", "stats"]),
    default="all",
    show_default=True,
    help="all: supervise the pipeline processes and the stats process; pipeline: one "
    "process of parse, enrich, route, sink; stats: the counter tables.",
)
@click.option("--stats-url", hidden=True, help="Supervisor wiring: the stats process's URL.")
@click.option(
    "--peer-url", multiple=True, hidden=True, help="Supervisor wiring: other pipeline processes."
)
@click.pass_context
def worker(
    ctx: click.Context,
    web_port: int | None,
    app_id: str | None,
    processes: int | None,
    role: str,
    stats_url: str | None,
    peer_url: tuple[str, ...],
) -> None:
    """Run the agents as Faust workers until Ctrl-C or SIGTERM.

    One worker runs NEWSFLOW_PROCESSES pipeline processes in one consumer group
    (restarting one that dies) and the counters as their own app (group
    APP_ID-stats), so that restoring their tables never holds up article
    partitions. Start more workers, on this machine or others, with the same app
    id to share the partitions.
    """
    from newsflow.workers import run_worker

    settings = _settings(ctx, web_port=web_port, app_id=app_id, processes=processes)
    run_worker(settings, role, stats_url=stats_url, peers=peer_url)  # type: ignore[arg-type]


# ----------------------------------------------------------------- publish


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--url", help="URL of the page, when PATHS is a single page file.")
@click.option("--source", default="cli", show_default=True, help="Crawler or feed id.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a tty).")
@click.pass_context
def publish(
    ctx: click.Context,
    paths: tuple[Path, ...],
    url: str | None,
    source: str,
    progress: bool | None,
) -> None:
    """Publish pages to news.raw, as a crawler would.

    PATHS are pages: .html/.htm files (optionally .gz), folders of them, or
    JSON lines (.jsonl/.ndjson) of {"url", "html", ...}. A page file's URL is
    --url, else its entry in an index.jsonl ({"file", "url"} lines) beside it,
    else its own canonical link. Each input that cannot be read, is too large for
    one message, has no http(s) URL or is not delivered is reported on stderr and
    the run goes on; the exit status is 1 when any input failed.
    """
    from newsflow.core.errors import PipelineError
    from newsflow.publishing import publish_paths
    from newsflow.streams import RAW, topic_name

    settings = _settings(ctx)
    try:
        sent, failed = asyncio.run(
            publish_paths(settings, paths, url=url, source=source, progress=progress, now=_now())
        )
    except PipelineError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(
        f"published {sent} page(s) to {topic_name(RAW, settings.topic_prefix)}"
        + (f"; {failed} input(s) failed" if failed else ""),
        err=True,
    )
    if failed:
        sys.exit(1)


# ----------------------------------------------------------------- process


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--url", help="URL of the page, when PATHS is a single page file.")
@click.option(
    "--stage",
    type=click.Choice(["parse", "enrich"]),
    default="enrich",
    show_default=True,
    help="Stop after this stage.",
)
@click.option("--source", default="cli", show_default=True, help="Source id put on records.")
@click.pass_context
def process(
    ctx: click.Context, paths: tuple[Path, ...], url: str | None, stage: str, source: str
) -> None:
    """Run the pure pipeline offline (no Kafka) and print one JSON line per page.

    PATHS are pages: .html/.htm files (optionally .gz), folders of them, or
    JSON lines of {"url", "html", ...}. Output is in input order: an EnrichedArticle
    (or an Article with --stage parse), or {"error": {"kind", "message"}, "origin",
    "url"} for an input or page that failed; the run goes on, a summary goes to
    stderr and the exit status is 1 when anything failed.
    """
    from newsflow.core.errors import PipelineError
    from newsflow.inputs import iter_inputs
    from newsflow.offline import process_items

    settings = _settings(ctx)
    ok = failed = 0
    try:
        items = iter_inputs(
            paths, now=_now(), max_bytes=settings.max_message_bytes, url=url, source=source
        )
        for item, result in process_items(items, settings, stage):  # type: ignore[arg-type]
            if isinstance(result, bytes):
                ok += 1
                sys.stdout.buffer.write(result + b"\n")
                sys.stdout.buffer.flush()
                continue
            failed += 1
            _json_line(
                {
                    "error": {"kind": result.kind, "message": result.message},
                    "origin": item.origin,
                    "url": item.raw["url"] if item.raw else None,
                }
            )
    except PipelineError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"processed {ok + failed} page(s): {ok} ok, {failed} failed", err=True)
    if failed:
        sys.exit(1)


# -------------------------------------------------------------------- tail


@main.command()
@click.argument("topic")
@click.option(
    "--from-beginning/--latest",
    default=True,
    show_default=True,
    help="Start at the oldest retained record or only show new ones.",
)
@click.option("--max-messages", "-n", type=int, help="Stop after this many records.")
@click.option("--idle-timeout", type=float, help="Stop after this many seconds with no record.")
@click.option("--meta", is_flag=True, help="Wrap each record with topic, partition, offset, key.")
@click.pass_context
def tail(
    ctx: click.Context,
    topic: str,
    from_beginning: bool,
    max_messages: int | None,
    idle_timeout: float | None,
    meta: bool,
) -> None:
    """Print a topic's records as JSON lines, e.g. `newsflow tail news.topic.politics`.

    TOPIC is a name from the registry (news.raw, news.enriched, news.dlq,
    news.topic.<route>…); the deployment's topic prefix is added for you.
    """
    from newsflow.streams import all_specs, spec_by_name, topic_name

    settings = _settings(ctx)
    spec = spec_by_name(topic, settings.topic_prefix)
    if spec is None:
        names = ", ".join(s.name for s in all_specs())
        raise click.UsageError(f"unknown topic {topic!r}; known: {names}")
    real = topic_name(spec, settings.topic_prefix)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_tail(settings, real, from_beginning, max_messages, idle_timeout, meta))


async def _tail(
    settings: Settings,
    topic: str,
    from_beginning: bool,
    max_messages: int | None,
    idle_timeout: float | None,
    meta: bool,
) -> None:
    import base64

    from newsflow.kafka import consumer

    seen = 0
    async with consumer(settings, [topic], from_beginning=from_beginning) as client:
        while max_messages is None or seen < max_messages:
            try:
                record = await asyncio.wait_for(client.getone(), timeout=idle_timeout)
            except TimeoutError:
                return
            try:
                value: Any = orjson.loads(record.value) if record.value is not None else None
            except orjson.JSONDecodeError:
                value = {"undecodable_b64": base64.b64encode(record.value or b"").decode()}
            if meta:
                value = {
                    "topic": record.topic,
                    "partition": record.partition,
                    "offset": record.offset,
                    "key": record.key.decode("utf-8", "replace") if record.key else None,
                    "value": value,
                }
            _json_line(value)
            seen += 1


# ------------------------------------------------------------------ broker


@main.group()
def broker() -> None:
    """A local broker for development and tests: Tansu (default) or Apache Kafka."""


_KIND = click.option(
    "--kind",
    type=click.Choice(["tansu", "kafka"]),
    default=None,
    help="Broker kind [NEWSFLOW_LOCAL_BROKER, default tansu].",
)


def _broker_args(ctx: click.Context, kind: str | None) -> tuple[Any, Path, int]:
    settings = _settings(ctx)
    chosen = kind or settings.local_broker
    port = int(settings.bootstrap_servers.split(",")[0].rsplit(":", 1)[1])
    return chosen, settings.data_dir / "broker", port


def _print_status(status: Any) -> None:
    state = "running" if status.running else "stopped"
    click.echo(
        f"{status.kind}: {state} pid={status.pid or '-'} bootstrap={status.bootstrap} "
        f"log={status.log_path}"
    )


@broker.command("start")
@_KIND
@click.pass_context
def broker_start(ctx: click.Context, kind: str | None) -> None:
    """Start the local broker on NEWSFLOW_BROKER's port (no-op when running)."""
    from newsflow import brokers

    chosen, home, port = _broker_args(ctx, kind)
    try:
        _print_status(brokers.start(chosen, home=home, port=port))
    except brokers.BrokerError as exc:
        raise click.ClickException(str(exc)) from exc


@broker.command("stop")
@_KIND
@click.pass_context
def broker_stop(ctx: click.Context, kind: str | None) -> None:
    """Stop the local broker (no-op when stopped)."""
    from newsflow import brokers

    chosen, home, _port = _broker_args(ctx, kind)
    _print_status(brokers.stop(chosen, home=home))


@broker.command("status")
@_KIND
@click.pass_context
def broker_status(ctx: click.Context, kind: str | None) -> None:
    """Say whether the local broker runs; exit status 1 when it does not."""
    from newsflow import brokers

    chosen, home, _port = _broker_args(ctx, kind)
    status = brokers.status(chosen, home=home)
    _print_status(status)
    if not status.running:
        sys.exit(1)


# ----------------------------------------------------------------- schemas


@main.group()
def schemas() -> None:
    """The JSON Schemas downstream consumers validate against."""


@schemas.command("export")
@click.option(
    "--out", type=click.Path(path_type=Path), help="Folder (default: the schemas package)."
)
def schemas_export(out: Path | None) -> None:
    """Write one <Record>.schema.json per pipeline record."""
    from newsflow.schemas.codec import SCHEMA_DIR, export_schemas

    for path in export_schemas(out or SCHEMA_DIR):
        click.echo(str(path))


# ---------------------------------------------------------------- entities


@main.command()
@click.argument("source", type=click.File("rb"), default="-")
def entities(source: Any) -> None:
    """Tag entities in JSON lines of {"id", "text", "lang"} (stdin by default).

    Writes one line per input line, in order: {"id", "entities": [{"start", "end",
    "type", "id", "text"}]} with offsets into "text" (end exclusive), or
    {"id", "error": ...} for a line that is not such an object.
    """
    from newsflow.entities.gazetteer import use_cache_dir
    from newsflow.entities.ner import text_mentions, use_tagger_models

    settings = _settings(click.get_current_context())
    use_cache_dir(settings.cache_dir)
    use_tagger_models(settings.tagger_models)
    failed = 0
    for number, raw in enumerate(source, start=1):
        if not raw.strip():
            continue
        try:
            item = orjson.loads(raw)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError('expected an object with a string "text"')
            lang = item.get("lang")
            if lang is not None and not isinstance(lang, str):
                raise ValueError('"lang" must be a string or null')
        except (orjson.JSONDecodeError, ValueError) as exc:
            failed += 1
            _json_line({"id": None, "line": number, "error": str(exc)})
            continue
        _json_line({"id": item.get("id"), "entities": text_mentions(item["text"], lang)})
    if failed:
        click.echo(f"{failed} line(s) could not be read", err=True)


# ------------------------------------------------------------------ tagger


def _class_map(pairs: tuple[str, ...]) -> dict[str, str]:
    from newsflow.entities.tagger_training import DEFAULT_CLASSES, TYPES

    classes = dict(DEFAULT_CLASSES)
    for pair in pairs:
        name, sep, kind = pair.partition("=")
        if not sep or kind.upper() not in (*TYPES, "O"):
            raise click.BadParameter(f"{pair!r}: use CLASS=PER|LOC|ORG|O", param_hint="--map")
        classes[name.strip().upper()] = kind.upper() if kind.upper() != "O" else ""
    return classes


_CONLL = click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
_LANG = click.option("--lang", required=True, help="Language of the text: ar, fa, en…")
_MAP = click.option(
    "--map",
    "class_map",
    multiple=True,
    help="Map a corpus class onto a type, e.g. --map POG=ORG --map EVE=O (repeatable).",
)


@main.group()
def tagger() -> None:
    """Train and measure entity taggers on your own labelled corpora.

    Files are CoNLL-style: a token and its tag per line (B-PER, I_ORG, BIOES…), a
    blank line between sentences. Use the model with NEWSFLOW_TAGGER_MODELS=LANG=PATH.
    """


@tagger.command("train")
@_CONLL
@_LANG
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the model (.crfsuite).",
)
@_MAP
@click.option(
    "--dev",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help=("Held-out CoNLL file(s) to score the model on after training."),
)
@click.option("--c1", type=float, default=0.3, show_default=True, help="L1 penalty.")
@click.option("--c2", type=float, default=0.01, show_default=True, help="L2 penalty.")
@click.option("--iterations", type=int, default=150, show_default=True)
def tagger_train(
    files: tuple[Path, ...],
    lang: str,
    out: Path,
    class_map: tuple[str, ...],
    dev: tuple[Path, ...],
    c1: float,
    c2: float,
    iterations: int,
) -> None:
    """Train a CRF tagger for LANG on FILES, with newsflow's features and gazetteer."""
    from newsflow.entities.tagger_training import read_conll, train

    classes = _class_map(class_map)
    sentences = [s for f in files for s in read_conll(f, classes)]
    params = {"c1": c1, "c2": c2, "max_iterations": iterations}
    seconds = train(sentences, lang.lower(), out, params=params)
    spans = sum(1 for s in sentences for t in s.tags if t.startswith("B-"))
    click.echo(f"trained on {len(sentences)} sentences ({spans} names) in {seconds:.0f} s: {out}")
    if dev:
        _report(out, dev, lang.lower(), classes)
    click.echo(f"use it with NEWSFLOW_TAGGER_MODELS={lang.lower()}={out.resolve()}")


@tagger.command("eval")
@_CONLL
@_LANG
@click.option(
    "--model",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The model to score (default: the one newsflow uses for LANG).",
)
@_MAP
def tagger_eval(
    files: tuple[Path, ...], lang: str, model: Path | None, class_map: tuple[str, ...]
) -> None:
    """Span-exact precision, recall and F1 of a tagger on labelled FILES."""
    from newsflow.entities.ner import tagger_model, use_tagger_models

    use_tagger_models(_settings(click.get_current_context()).tagger_models)
    if model is None:
        found = tagger_model(lang.lower())
        if found is None:
            raise click.UsageError(f"no tagger model for {lang!r}: pass --model")
        model = found[0]
    _report(model, files, lang.lower(), _class_map(class_map))


def _report(model: Path, files: Sequence[Path], lang: str, classes: dict[str, str]) -> None:
    from newsflow.entities.tagger_training import TYPES, evaluate, read_conll

    scores = evaluate(model, (s for f in files for s in read_conll(f, classes)), lang)
    for kind in (*TYPES, None):
        p, r, f1 = scores.prf(kind)
        gold = sum(scores.gold.values()) if kind is None else scores.gold[kind]
        click.echo(f"{kind or 'micro':5} P {p:.3f}  R {r:.3f}  F1 {f1:.3f}  ({gold} gold)")


# ------------------------------------------------------------------ config


@main.command()
@click.pass_context
def config(ctx: click.Context) -> None:
    """Print the effective settings (secrets masked) as JSON."""
    _json_line(_settings(ctx).masked())


# -------------------------------------------------------------------- demo


@main.command()
@click.option(
    "--kind",
    type=click.Choice(["tansu", "kafka"]),
    default=None,
    help="Local broker to start [NEWSFLOW_LOCAL_BROKER, default tansu].",
)
@click.option(
    "--timeout",
    type=float,
    default=180.0,
    show_default=True,
    help="Seconds to wait for every page to be persisted.",
)
@click.option("--keep-running", is_flag=True, help="Leave broker and worker running afterwards.")
@click.option(
    "--corpus/--no-corpus",
    default=True,
    show_default=True,
    help="Also publish the corpus pages listed in examples/corpus.txt, when present.",
)
@click.pass_context
def demo(
    ctx: click.Context, kind: str | None, timeout: float, keep_running: bool, corpus: bool
) -> None:
    """The main job in one command: broker, worker, sample pages, results.

    Starts a local broker and a worker, publishes the pages under examples/,
    waits until each is persisted or dead-lettered, prints what came out, and
    stops what it started.
    """
    from newsflow.demo import run_demo

    settings = _settings(ctx)
    code = run_demo(
        settings,
        kind=kind or settings.local_broker,
        timeout=timeout,
        keep_running=keep_running,
        with_corpus=corpus,
    )
    sys.exit(code)


if __name__ == "__main__":
    main()
