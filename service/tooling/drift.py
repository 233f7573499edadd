"""`tubebase db check`: does the live database match its migrations?

Three things can drift: the schema (someone changed it by hand), a migration file
(edited after it was applied: yoyo only hashes file names, tubebase records a
content checksum when it applies), and the migrations themselves (one without a
rollback file). The expected schema is what the applied migrations produce on a
scratch database of the same server."""

from pathlib import Path

import msgspec

from service.tooling import migrations
from service.tooling.resources import MIGRATIONS_DIR
from service.tooling.schema import diff, snapshot
from service.tooling.scratch import scratch_database


class DriftReport(msgspec.Struct):
    schema: list[str]
    edited: list[str]
    missing_rollbacks: list[str]
    unrecorded: list[str]  # applied outside tubebase (plain yoyo): no checksum to compare
    pending: list[str]

    @property
    def ok(self) -> bool:
        return not (self.schema or self.edited or self.missing_rollbacks)

    def lines(self) -> list[str]:
        out = [f"schema: {line}" for line in self.schema]
        out += [f"edited after it was applied: {line}" for line in self.edited]
        out += [f"no rollback file: migrations/{m}.rollback.sql" for m in self.missing_rollbacks]
        out += [f"note: {m} was applied outside tubebase; its file cannot be checked"
                for m in self.unrecorded]  # fmt: skip
        out += [f"note: {m} is not applied yet (tubebase db apply)" for m in self.pending]
        return out


def check(database_url: str, source: Path = MIGRATIONS_DIR) -> DriftReport:
    ids = migrations.migration_ids(source)
    missing = [m for m in ids if not migrations.rollback_path(m, source).exists()]
    statuses = migrations.status(database_url, source)
    applied = [s.id for s in statuses if s.applied]
    recorded = migrations.recorded_checksums(database_url)
    edited = []
    for migration_id in applied:
        if migration_id in recorded:
            now = migrations.checksum(migration_id, source)
            if now != recorded[migration_id]:
                edited.append(
                    f"{migration_id} (sha256 {recorded[migration_id][:12]}… when applied, "
                    f"{now[:12]}… now)"
                )
    with scratch_database(database_url) as scratch:
        migrations.apply(scratch, source, only=set(applied))
        expected = snapshot(scratch)
    return DriftReport(
        schema=diff(snapshot(database_url), expected),
        edited=edited,
        missing_rollbacks=missing,
        unrecorded=[m for m in applied if m not in recorded],
        pending=[s.id for s in statuses if not s.applied],
    )
