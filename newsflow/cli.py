"""The `newsflow` command: worker, publish, process, tail, dlq, status, routes, broker,
demo, schemas, config.

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
    if settings.routes_file:
        # Refused here, once, with every problem: not by each process in a restart loop.
        from newsflow.core.rules import RulesError, load_file

        try:
            load_file(settings.routes_file)
        except RulesError as exc:
            for issue in exc.issues:
                click.echo(str(issue), err=True)
            click.echo("NEWSFLOW_ROUTES_FILE is invalid: the worker does not start", err=True)
            sys.exit(2)
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


# ------------------------------------------------------------------ routes


@main.group()
def routes() -> None:
    """Routing rules files: validate them, try them on pages.

    A rules file (YAML) declares routes, their topics and the conditions that send an
    article to them; see "Routing rules" in the README and the JSON Schema in
    newsflow/core/rules/rules.schema.json.
    """


@routes.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def routes_check(files: tuple[Path, ...]) -> None:
    """Validate rules FILES: a summary line with the version for each valid one, every
    problem as file:line: message otherwise (exit status 1)."""
    from newsflow.core.rules import RulesError, load_file
    from newsflow.rules_check import describe

    failed = False
    for path in files:
        try:
            rules = load_file(path)
        except RulesError as exc:
            failed = True
            for issue in exc.issues:
                click.echo(str(issue), err=True)
            click.echo(f"{path}: {len(exc.issues)} problem(s)", err=True)
            continue
        click.echo(f"{path}: ok, {describe(rules)}")
    if failed:
        sys.exit(1)


@routes.command("test")
@click.argument("rules_file", metavar="FILE", type=click.Path(path_type=Path))
@click.argument("pages", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per page.")
@click.option("--all", "every_rule", is_flag=True, help="Give every rule's reason, not only hits.")
@click.option(
    "--now",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
    help="The time `age` conditions count from (default: now; without offset: UTC).",
)
@click.pass_context
def routes_test(
    ctx: click.Context,
    rules_file: Path,
    pages: tuple[Path, ...],
    as_json: bool,
    every_rule: bool,
    now: datetime | None,
) -> None:
    """Show where the rules in FILE send each PAGE, and why.

    PAGES are .html files (optionally .gz), folders of them, or JSON lines of raw
    pages ({"url", "html"...}) or of enriched records (as `newsflow process` prints
    them). Pages are parsed and enriched offline, as `newsflow process` does. Exit
    status 1 when the rules are invalid or a page could not be processed.
    """
    from newsflow.core.rules import RulesError, load_file
    from newsflow.rules_check import check_pages, describe, render

    try:
        rules = load_file(rules_file)
    except RulesError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        sys.exit(1)
    at = _now() if now is None else (now if now.tzinfo else now.replace(tzinfo=UTC))
    settings = _settings(ctx)
    if not as_json:
        click.echo(f"{rules_file}: {describe(rules)}")
    failed = 0
    for checked in check_pages(pages, rules, settings, at):
        failed += checked.decision is None
        if as_json:
            _json_line(checked.to_json(rules))
        else:
            click.echo("\n".join(render(checked, rules, every_rule)))
    if failed:
        click.echo(f"{failed} page(s) could not be processed", err=True)
        sys.exit(1)


@routes.command("apply")
@click.argument("rules_file", metavar="FILE", type=click.Path(path_type=Path))
@click.option("--by", help="Who applies it, recorded with the rule set (default: $USER).")
@click.pass_context
def routes_apply(ctx: click.Context, rules_file: Path, by: str | None) -> None:
    """Validate FILE, create its route topics, then publish it to news.config.

    Every running worker switches to it at a message boundary, without a restart; a
    worker started later follows it too (the latest applied rule set always wins over
    NEWSFLOW_ROUTES_FILE). Invalid rules are refused here (exit status 1, every problem
    as file:line: message) and are never published.
    """
    from newsflow.core.rules import RulesError, load_file
    from newsflow.rules_check import describe
    from newsflow.rules_config import apply_rules

    try:
        rules = load_file(rules_file)
    except RulesError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        click.echo(f"{rules_file}: {len(exc.issues)} problem(s); nothing applied", err=True)
        sys.exit(1)
    settings = _settings(ctx)
    result = asyncio.run(apply_rules(settings, rules, by=by))
    created = result["created_topics"]
    click.echo(f"{rules_file}: applied, {describe(rules)}")
    click.echo(
        f"published to {result['topic']}@{result['offset']}"
        + (f"; created {', '.join(created)}" if created else "")
    )


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


# --------------------------------------------------------------------- dlq


def _dlq_error(exc: Exception) -> click.ClickException:
    from newsflow.store import StoreUnavailable

    if isinstance(exc, StoreUnavailable):
        return click.ClickException(f"the database cannot be used right now: {exc}")
    return click.ClickException(str(exc))


def _letter_filters(func: Any) -> Any:
    """The filters `dlq list` and `dlq replay --all` share."""
    options = [
        click.option("--stage", help="Only letters of this stage (parse, enrich, route, sink)."),
        click.option("--kind", help="Only this error kind (too_large, parse, timeout...)."),
        click.option(
            "--site", help="Only letters whose URL's host is this site or a subdomain of it."
        ),
        click.option("--source", help="Only letters of this source (crawler id)."),
        click.option(
            "--since",
            metavar="WHEN",
            help="Failed at or after WHEN: ISO date-time (UTC unless it has an offset) or a "
            "span back from now: 90s, 30m, 2h, 3d, 1w.",
        ),
        click.option("--until", metavar="WHEN", help="Failed before WHEN (same forms)."),
        click.option(
            "--replayed/--not-replayed",
            default=None,
            help="Only letters replayed at least once / never replayed.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _make_filter(
    stage: str | None,
    kind: str | None,
    site: str | None,
    source: str | None,
    since: str | None,
    until: str | None,
    replayed: bool | None,
) -> Any:
    from newsflow.dlq import DlqError, LetterFilter, parse_when

    now = _now()
    try:
        return LetterFilter(
            stage=stage,
            kind=kind,
            site=site,
            source=source,
            since=parse_when(since, now) if since else None,
            until=parse_when(until, now) if until else None,
            replayed=replayed,
        )
    except DlqError as exc:
        raise click.UsageError(str(exc)) from exc


@main.group()
def dlq() -> None:
    """Dead letters: list them, show one, replay them once the cause is fixed.

    These commands read the dead_letters table of the sink's database
    (NEWSFLOW_DATABASE_URL, or the SQLite file in NEWSFLOW_DATA_DIR), the
    persisted, queryable copy of the news.dlq topic. A letter the sink has not
    stored yet (no worker running, the sink behind, or the database refused it)
    is not shown until it is: `newsflow tail news.dlq` shows the topic itself.
    """


@dlq.command("list")
@_letter_filters
@click.option("--limit", "-n", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line, every field.")
@click.pass_context
def dlq_list(
    ctx: click.Context,
    stage: str | None,
    kind: str | None,
    site: str | None,
    source: str | None,
    since: str | None,
    until: str | None,
    replayed: bool | None,
    limit: int,
    as_json: bool,
) -> None:
    """List dead letters, newest failure first, with how often each was replayed.

    The table shows a 12-digit id prefix, which `show` and `replay` accept;
    --json gives the full id and every field but the original bytes.
    """
    from newsflow.dlq import (
        DlqError,
        format_table,
        list_letters,
        summary_json,
        terminal_width,
    )
    from newsflow.store import StoreUnavailable

    settings = _settings(ctx)
    letter_filter = _make_filter(stage, kind, site, source, since, until, replayed)
    try:
        letters = asyncio.run(list_letters(settings, letter_filter, limit))
    except (DlqError, StoreUnavailable) as exc:
        raise _dlq_error(exc) from exc
    if as_json:
        for letter in letters:
            _json_line(summary_json(letter))
        return
    if not letters:
        click.echo("no dead letters match", err=True)
        return
    click.echo(format_table(letters, terminal_width()))
    if len(letters) == limit:
        click.echo(f"(first {limit}; --limit shows more)", err=True)


@dlq.command("show")
@click.argument("letter_id", metavar="ID")
@click.option("--full", is_flag=True, help="The whole original, long strings (html) uncut.")
@click.option("--json", "as_json", is_flag=True, help="The stored row and replays as JSON.")
@click.pass_context
def dlq_show(ctx: click.Context, letter_id: str, full: bool, as_json: bool) -> None:
    """Every field of one dead letter, its replay history and its original, decoded.

    ID is the letter's id or a unique prefix of it. A truncated original is read
    from its file when that is on this host.
    """
    from newsflow.dlq import (
        DlqError,
        describe_original,
        format_letter,
        inline_original,
        load_original,
        show_letter,
        summary_json,
    )
    from newsflow.store import StoreUnavailable

    settings = _settings(ctx)
    try:
        letter, replays = asyncio.run(show_letter(settings, letter_id))
    except (DlqError, StoreUnavailable) as exc:
        raise _dlq_error(exc) from exc
    if as_json:
        _json_line({**summary_json(letter), "replays": [summary_json(r) for r in replays]})
        return
    note = None
    try:
        data = load_original(letter)
    except DlqError as exc:
        data = inline_original(letter)
        note = f"only the first {len(data)} bytes: {exc}" if data else str(exc)
    click.echo(format_letter(letter, replays, describe_original(data, full=full), note))


@dlq.command("replay")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--all", "replay_all", is_flag=True, help="Every letter the filters select.")
@_letter_filters
@click.option("--limit", "-n", type=click.IntRange(min=1), help="With --all: at most this many.")
@click.option("--dry-run", is_flag=True, help="Say what would be sent; send and record nothing.")
@click.option("--yes", is_flag=True, help="Allow --all without any filter (every letter).")
@click.option("--note", help="Why, kept with the replay (e.g. the fix deployed).")
@click.option("--by", help="Who replays, kept with the replay [default: $USER].")
@click.pass_context
def dlq_replay(
    ctx: click.Context,
    ids: tuple[str, ...],
    replay_all: bool,
    stage: str | None,
    kind: str | None,
    site: str | None,
    source: str | None,
    since: str | None,
    until: str | None,
    replayed: bool | None,
    limit: int | None,
    dry_run: bool,
    yes: bool,
    note: str | None,
    by: str | None,
) -> None:
    """Send dead letters' originals back to the topics they came from.

    Each original goes, with its original key, to its letter's source topic
    (news.raw for a page the parse stage refused) through the same producer as
    `newsflow publish`; the worker then processes it again, and every stage after
    that topic runs again for it. Run it once the cause is fixed (a limit
    raised, a bug fixed, a worker restarted with the fix): a message that fails
    again becomes a new dead letter. Each confirmed replay is recorded (time,
    topic, partition, offset, --by, --note) and `dlq show` lists them.

    Name letters by id (a unique prefix is fine), or use --all with the filters
    of `dlq list` (--all without a filter needs --yes). An original cut to its
    head on the dead-letter topic is read from its file (original_file) when that
    is on this host; otherwise that letter is refused. Exit status 1 when any
    letter was not replayed.
    """
    import getpass

    from newsflow.dlq import DlqError, format_result, replay_letters, replay_matching
    from newsflow.store import StoreUnavailable

    settings = _settings(ctx)
    letter_filter = _make_filter(stage, kind, site, source, since, until, replayed)
    if replay_all == bool(ids):
        raise click.UsageError("name the letters to replay by id, or use --all with filters")
    if ids and (not letter_filter.is_empty() or limit is not None):
        raise click.UsageError("filters and --limit go with --all, not with ids")
    if replay_all and letter_filter.is_empty() and not yes:
        raise click.UsageError(
            "--all without a filter would replay every dead letter: add a filter "
            "(e.g. --kind too_large --not-replayed) or --yes"
        )
    if by is None:
        try:
            by = getpass.getuser()
        except (KeyError, OSError):
            by = None
    try:
        if replay_all:
            results = asyncio.run(
                replay_matching(settings, letter_filter, limit, note=note, by=by, dry_run=dry_run)
            )
        else:
            results = asyncio.run(replay_letters(settings, ids, note=note, by=by, dry_run=dry_run))
    except (DlqError, StoreUnavailable) as exc:
        raise _dlq_error(exc) from exc
    for result in results:
        click.echo(format_result(result))
    done = sum(1 for r in results if r["status"] in ("replayed", "would_replay"))
    verb = "would replay" if dry_run else "replayed"
    click.echo(f"{verb} {done} of {len(results)} dead letter(s)", err=True)
    if done < len(results):
        sys.exit(1)


# ------------------------------------------------------------------ status


@main.command()
@click.option(
    "--url",
    help="The worker's web address [default: http://NEWSFLOW_WEB_HOST:NEWSFLOW_WEB_PORT].",
)
@click.option("--token", help="Bearer token of the worker's web port [NEWSFLOW_WEB_TOKEN].")
@click.option(
    "--watch",
    type=click.FloatRange(min=0.5),
    metavar="SECONDS",
    help="Refresh every SECONDS until Ctrl-C.",
)
@click.option("--timeout", type=float, default=10.0, show_default=True, help="HTTP timeout, s.")
@click.pass_context
def status(
    ctx: click.Context, url: str | None, token: str | None, watch: float | None, timeout: float
) -> None:
    """What a running worker is doing, as tables in the terminal.

    Reads the worker's /api/overview: readiness and its reasons, stages, sites,
    extraction quality (alerts in red), trending entities, consumer lag and the
    latest dead letters. Exit status 2 when the worker cannot be reached, 3 when
    it wants a token (pass --token or set NEWSFLOW_WEB_TOKEN).
    """
    from newsflow.status import StatusError, default_url, run_status

    settings = _settings(ctx)
    try:
        run_status(
            url or default_url(settings),
            token if token is not None else settings.web_token,
            watch=watch,
            timeout=timeout,
        )
    except StatusError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)


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
