"""The operators' tables as plain Python: how stage events update them, how they fold.

The stats agent (`newsflow.agents.stats`) owns the Faust tables and their changelogs;
everything it does to an entry is a pure function here, unit-tested without Kafka:

- `tables` — one function per table: the entry after an event's outcomes (or None
  when every outcome was counted already: a replay).
- `quality` — the per-site extraction quality and its template-change alert.
- `views` — the folds that turn table entries into the JSON of ``/api/*``, the
  dashboard and ``/metrics``.

Every table is keyed with the stats message's key (``stage|topic|partition`` of the
stage's input) as a prefix, so each entry is written from one stats partition only
and lives in that partition's changelog: recovery restores it whole, and the offset it
remembers makes a replayed outcome count once.
"""
