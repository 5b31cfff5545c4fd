"""The sink's database: enriched articles and dead letters, in SQLite or PostgreSQL.

One code path serves both back ends so that a laptop run (``sqlite+aiosqlite:///var/newsflow.db``,
nothing to install) behaves like production (``postgresql+asyncpg://...``). SQLAlchemy Core rather
than the ORM: the sink writes batches of plain dicts, and an identity map would only cost memory.
The schema belongs to the Alembic migrations in ``newsflow/migrations``; the tables below describe
it for building statements and a unit test keeps the two in step.

Error contract, so that the sink agent can tell "try again later" from "this record is bad":

* :class:`StoreUnavailable` - the database cannot be reached or is busy (PostgreSQL down or
  restarting, network error, SQLite locked past its busy timeout, disk full). Nothing was written.
  Retry the *same* batch with backoff and do not commit the Kafka offsets meanwhile. It
  deliberately does **not** derive from :class:`~newsflow.core.errors.PipelineError`: an agent
  that dead-letters every ``PipelineError`` would otherwise dead-letter the whole stream during
  a database outage.
* ``PipelineError("sink", ...)`` - the database (or the row builder) rejected the content of the
  batch: a malformed dict, a value the column cannot hold. Retrying the batch will fail again;
  write the records one at a time to find the culprit and dead-letter it.
* Anything else (``ProgrammingError``, missing tables with ``migrate=False``...) is a bug or a
  deployment mistake and propagates unchanged.

``published_at`` (and the other instants) are real timestamps, not the ISO text of the message:
``timestamptz`` on PostgreSQL and, on SQLite, fixed-width UTC text
(``2024-03-01T06:30:00.000000+00:00``). Pages carry their own offsets (``+03:30`` for Tehran,
``+03:00`` for Riyadh); compared as text those order wrongly, normalised to UTC they sort and
range-filter correctly on both back ends with one index. The page's own offset is not lost: the
message is also kept whole in ``doc``.

Modules: `store` (the `Store` handle), `tables`, `rows` (records to rows, upserts),
`engine` (URLs, engines, SQLite hooks), `errors` (the contract above), `migrate`, `letters`
(the dead-letter listing and replay history the operators' tools read).
"""

from newsflow.store.errors import StoreUnavailable
from newsflow.store.letters import LetterQuery
from newsflow.store.migrate import migrate
from newsflow.store.store import Store, WriteResult
from newsflow.store.tables import (
    article_entities,
    articles,
    dead_letter_replays,
    dead_letters,
    metadata,
)

__all__ = [
    "LetterQuery",
    "Store",
    "StoreUnavailable",
    "WriteResult",
    "article_entities",
    "articles",
    "dead_letter_replays",
    "dead_letters",
    "metadata",
    "migrate",
]
