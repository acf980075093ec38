"""Word that run events were written, for the readers waiting on them.

``note_recorded`` is called by the one function that writes run events
(``event_store.insert_events``), inside the writing transaction. It remembers, per run,
the highest ``seq`` written and whether the run's terminal event was among them. Once
that transaction commits — never before, so a reader woken by it finds the rows — the
word goes out:

- to this process, at once: the callbacks ``listen``-ed on the engine hear it;
- on PostgreSQL, to every process: the transaction also sends a ``NOTIFY`` on
  ``CHANNEL``, which PostgreSQL delivers only when it commits
  (``backend.db.recorded_listener`` hears it; this process hears its own too, which is
  harmless: the word says what is in the database, not what changed).

A rolled-back transaction sends nothing.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

from graph_engine.events import TERMINAL_TYPES, RunEvent

CHANNEL = "nodeloom_run_events"
_PENDING = "nodeloom.recorded"


@dataclass(frozen=True, slots=True)
class Recorded:
    """What the database holds of a run after a write: events up to ``seq`` (some of them
    may still be missing below it), and whether its terminal event is among them."""

    seq: int
    ended: bool = False

    def merged(self, other: Recorded) -> Recorded:
        return Recorded(max(self.seq, other.seq), self.ended or other.ended)

    def to_notice(self, run_id: str) -> str:
        return f"{run_id} {self.seq} {int(self.ended)}"

    @staticmethod
    def from_notice(notice: str) -> tuple[str, Recorded]:
        run_id, seq, ended = notice.split(" ")
        return run_id, Recorded(int(seq), ended == "1")


Heard = Callable[[Mapping[str, Recorded]], None]

_listeners: weakref.WeakKeyDictionary[Engine, list[Heard]] = weakref.WeakKeyDictionary()
_NOTIFY = text(
    f"SELECT pg_notify('{CHANNEL}', notice) FROM unnest(CAST(:notices AS text[])) AS notice"
)


def summarize(events: Iterable[RunEvent]) -> dict[str, Recorded]:
    runs: dict[str, Recorded] = {}
    for run_event in events:
        mark = Recorded(run_event.seq, run_event.type in TERMINAL_TYPES)
        known = runs.get(run_event.run_id)
        runs[run_event.run_id] = mark if known is None else known.merged(mark)
    return runs


async def note_recorded(session: AsyncSession, events: Iterable[RunEvent]) -> None:
    """Remember that ``events`` were written in ``session``'s transaction (see above)."""
    runs = summarize(events)
    if not runs:
        return
    pending: dict[str, Recorded] = session.info.setdefault(_PENDING, {})
    for run_id, mark in runs.items():
        known = pending.get(run_id)
        pending[run_id] = mark if known is None else known.merged(mark)
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        notices = [mark.to_notice(run_id) for run_id, mark in runs.items()]
        await connection.execute(_NOTIFY, {"notices": notices})


def listen(engine: AsyncEngine, heard: Heard) -> Callable[[], None]:
    """Call ``heard`` after each commit in this process that wrote run events through
    ``engine``; returns what stops it."""
    callbacks = _listeners.setdefault(engine.sync_engine, [])
    callbacks.append(heard)
    return lambda: callbacks.remove(heard) if heard in callbacks else None


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    for heard in list(_listeners.get(engine, ())):
        heard(pending)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
