"""The suite's check that every count kept on write (kinga.core.tallies) equals what the records give, after each
test — limited to the tallies the test could have changed.

Recomputing all forty tallies from the records costs about 300 ms, after each of some 1,500 tests: most of a CI
run's time. A tally can only differ from its records if the test wrote to a table its computation reads, or to the
tally tables themselves; every statement the test's connection runs is read (a regex on its first words, past
the signals as much as through them) and the tallies whose tables were untouched are not recomputed. A statement
that writes in a way not recognised here, or a test whose writes may come from another connection (a live server,
a worker process, threads: the transactional tests), checks every tally, as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection

from kinga.core import tallies
from kinga.core.models import Membership, Organisation, Place, Tally, TallyMonth, TallyState, User

_WRITE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.IGNORECASE
)
_WRITE_INSIDE = re.compile(r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_READ = re.compile(
    r"^\s*(?:SELECT|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|PRAGMA|EXPLAIN|SHOW|SET|VALUES)\b", re.IGNORECASE
)
_TABLE = re.compile(r'\b(?:FROM|JOIN|INTO|UPDATE)\s+"(\w+)"', re.IGNORECASE)
_TALLY_TABLES = frozenset(m._meta.db_table for m in (Tally, TallyMonth, TallyState))
# Tables that records point to and that point to no record, written by almost every test first: a row inserted
# into one is referenced by nothing yet, so it changes no count. Their updates are the path a place is given right
# after its insert (nothing in Kinga moves a place afterwards), a member's last login, an organisation renamed:
# none of them counts in a tally either.
_PARENT_TABLES = frozenset(m._meta.db_table for m in (Place, Organisation, Membership, User))

# Per tally: the tables its computation was seen to read (accumulated over the process: a table read only when
# another holds rows is seen as soon as a test writes those rows, and a test starts from empty tables).
_read_by: dict[str, set[str]] = {}


@dataclass
class Writes:
    tables: set[str] = field(default_factory=set)
    # The tallies whose own rows were written (their codes are parameters of the statement).
    codes: set[str] = field(default_factory=set)
    unknown: bool = False  # a statement that may write, to tables not recognised: check everything
    deleted: set[str] = field(default_factory=set)  # tables some statement deleted from

    def __call__(self, execute, sql, params, many, context):
        if many and params is not None and not isinstance(params, (list, tuple)):
            params = list(params)  # an iterator read here would reach the database empty
        self.note(sql, params, many=many)
        return execute(sql, params, many, context)

    def note(self, sql: str, params=(), *, many: bool = False) -> None:
        if not isinstance(sql, str) or _READ.match(sql):
            return
        match = _WRITE.match(sql)
        if match:
            written = {match.group(1)}
            if match.group(0).lstrip()[:1].upper() == "D":
                self.deleted |= written
        elif sql.lstrip()[:4].upper() == "WITH":
            written = set(_WRITE_INSIDE.findall(sql))
            if "DELETE" in sql.upper():
                self.deleted |= written
        else:
            self.unknown = True
            return
        self.tables |= written
        if written & _TALLY_TABLES:
            # Every write to a tally's rows names its code; one that does not (a rebuild of all, raw SQL) may
            # have changed any of them.
            values = [v for row in (params or ()) for v in row] if many else list(params or ())
            known = tallies.flows()
            codes = {v for v in values if isinstance(v, str) and v in known}
            if codes:
                self.codes |= codes
            else:
                self.unknown = True


@contextmanager
def recording_writes() -> Iterator[Writes]:
    writes = Writes()
    with connection.execute_wrapper(writes):
        yield writes


class TablesRead:
    """The tables a connection's statements name after FROM, JOIN, INTO or UPDATE."""

    def __init__(self) -> None:
        self.tables: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        if isinstance(sql, str):
            self.tables.update(_TABLE.findall(sql))
        return execute(sql, params, many, context)


def _watched_tables(code: str) -> set[str]:
    return {w.model._meta.db_table for w in tallies.flows()[code].watches}


def to_check(writes: Writes | None) -> list[str]:
    """The tallies a test with these writes could have made wrong (all of them when the writes are unknown)."""
    codes = list(tallies.flows())
    if writes is None or writes.unknown:
        return codes
    touched = writes.tables - _PARENT_TABLES
    return [
        code
        for code in codes
        if code in writes.codes or code not in _read_by or touched & (_read_by[code] | _watched_tables(code))
    ]


def differences(writes: Writes | None) -> dict[str, list]:
    """Each tally that differs from its records (its first three differing groups), among those to check."""
    wrong = {}
    for code in to_check(writes):
        reads = TablesRead()
        with connection.execute_wrapper(reads):
            diffs = tallies.differences(code, start=tallies.EVER[0], end=tallies.EVER[1])
        _read_by.setdefault(code, set()).update(reads.tables - _TALLY_TABLES)
        if diffs:
            wrong[code] = diffs[:3]
    return wrong
