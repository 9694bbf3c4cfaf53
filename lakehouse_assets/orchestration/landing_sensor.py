"""The landing sensor: new landing files start the daily job for exactly their dates.

One implementation serves a local folder and an S3 prefix (the `storage` resource's
landing store). Each tick lists the live landing zone, hashes the file versions it has
not seen (up to a byte budget), drops re-delivered content (cursor and
`audit/ingested_files`), and asks for one run per range of consecutive dates. A late
file for an old date asks for that date; the follow-up sensor then rebuilds its month.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from lakehouse_assets.jobs import daily_job
from lakehouse_assets.orchestration.ingested import ingested_content
from lakehouse_assets.orchestration.landing_state import (
    LandingCursor,
    content_digest,
    date_ranges,
    file_digest,
    run_key,
    within_budget,
)
from lakehouse_assets.partitions import PARTITIONS_START
from lakehouse_assets.resources.landing import LandingFile, content_hash, scan_landing_zone
from lakehouse_assets.resources.storage import FileStore
from lakehouse_assets.resources.storage_resource import LakehouseStorage
from lakehouse_assets.run_plan import TRIGGER_TAG, range_tags
from lakehouse_assets.settings import OrchestrationSettings, Settings
from lakehouse_assets.sources import SOURCES

MB = 1024 * 1024
FILES_TAG = "lakehouse/landing_files"


@dataclass
class TickOutcome:
    run_requests: list[RunRequest]
    cursor: str
    notes: list[str] = field(default_factory=list)  # what was left out and why


def _requests(fresh: list[LandingFile]) -> list[RunRequest]:
    """One run per range of consecutive dates with new content."""
    by_day: dict[date, list[LandingFile]] = {}
    for f in fresh:
        by_day.setdefault(f.partition_date, []).append(f)
    requests = []
    for first, last in date_ranges(set(by_day)):
        group = [f for day in sorted(by_day) if first <= day <= last for f in by_day[day]]
        tags = {TRIGGER_TAG: "landing_sensor", FILES_TAG: str(len(group))}
        if first == last:
            requests.append(RunRequest(run_key=run_key(group), partition_key=first.isoformat(), tags=tags))
        else:
            tags.update(range_tags(first.isoformat(), last.isoformat()))
            requests.append(RunRequest(run_key=run_key(group), tags=tags))
    return requests


def evaluate_landing(settings: Settings, cursor: str | None, landing: FileStore, today: date) -> TickOutcome:
    """One tick: which dates need a run, and the cursor to store (pure but for listing and
    hashing files of the `landing` store)."""
    state = LandingCursor.parse(cursor)
    files, misplaced = scan_landing_zone(settings.landing_root, SOURCES, landing)
    listed = {file_digest(f): f for f in files}
    unseen = [f for digest, f in listed.items() if digest not in state.seen]
    first_day = date.fromisoformat(PARTITIONS_START)
    waiting, never, candidates = [], [], []
    for f in unseen:
        if f.partition_date > today:
            waiting.append(f)  # its partition does not exist yet: look again next tick
        elif f.partition_date < first_day or f.format is None:
            never.append(f)  # no partition, or a format bronze does not read: no run, ever
        else:
            candidates.append(f)
    batch = within_budget(candidates, settings.orchestration.hash_budget_mb * MB) if candidates else []

    keys = {f.uri: content_digest(f.source, f.partition_date, content_hash(f.uri, landing)) for f in batch}
    known = set(state.content)
    unknown_pairs = {(f.source, f.partition_date) for f in batch if keys[f.uri] not in known}
    known |= {content_digest(*row) for row in ingested_content(settings.lakehouse_root, unknown_pairs)}
    fresh: list[LandingFile] = []
    for f in batch:  # oldest arrival first: a second copy of the same bytes is a duplicate
        if keys[f.uri] not in known:
            fresh.append(f)
            known.add(keys[f.uri])

    handled = {file_digest(f) for f in [*batch, *never]}
    new_state = LandingCursor(seen={d for d in listed if d in state.seen} | handled,
                              content=state.content + [keys[f.uri] for f in fresh])
    counts = (
        (len(batch) - len(fresh), "file(s) with content already ingested or requested: no run"),
        (len(waiting), "file(s) for dates after today (UTC): waiting for their partition"),
        (len(never), "file(s) before the first partition or with an extension the zone does not read"),
        (len(candidates) - len(batch), "file(s) over this tick's hashing budget: next tick"),
        (len(misplaced), "path(s) outside date=YYYY-MM-DD folders ignored"),
    )
    notes = [f"{count} {text}" for count, text in counts if count]
    return TickOutcome(_requests(fresh), new_state.dump(), notes)


def build_landing_sensor(at_load: OrchestrationSettings) -> SensorDefinition:
    """The sensor definition; its interval and default status come from config at load time."""

    @sensor(
        name="landing_files",
        job=daily_job,
        minimum_interval_seconds=at_load.sensor_interval_seconds,
        default_status=DefaultSensorStatus.RUNNING if at_load.autostart else DefaultSensorStatus.STOPPED,
        description="New or changed landing files start the daily job for exactly their dates.",
    )
    def landing_files(context: SensorEvaluationContext, storage: LakehouseStorage) -> SensorResult:
        outcome = evaluate_landing(storage.settings, context.cursor, storage.landing, datetime.now(UTC).date())
        for note in outcome.notes:
            context.log.info(note)
        if outcome.run_requests:
            return SensorResult(run_requests=outcome.run_requests, cursor=outcome.cursor)
        reason = "; ".join(outcome.notes) or "no new landing files"
        return SensorResult(skip_reason=SkipReason(reason), cursor=outcome.cursor)

    return landing_files
