"""The tables of one landing source in the ingest step, and the checks on each.

Bronze carries the landing check; silver its contract, row accounting and quarantine
share, all blocking (a failure keeps silver's previous rows); quarantine its contract,
reported only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dagster import AssetKey

from lakehouse_assets.checks.results import QUARANTINE_SHARE, ROW_ACCOUNTING
from lakehouse_assets.checks.targets import Target
from lakehouse_assets.ingest import landing_check
from lakehouse_assets.sources import Source

SILVER_CHECKS_EXTRA = (ROW_ACCOUNTING, QUARANTINE_SHARE)


def output_name(layer: str, source: str) -> str:
    return f"{layer}__{source}"


@dataclass
class SourceTargets:
    """The three tables of a source and the checks on them."""

    source: Source
    bronze: Target = field(init=False)
    silver: Target = field(init=False)
    quarantine: Target = field(init=False)

    def __post_init__(self) -> None:
        name = self.source.name
        checks = (landing_check.CHECK_NAME,)
        self.bronze = Target(AssetKey(["bronze", name]), checks=checks, blocking=frozenset(checks))
        silver_checks = (*Target(AssetKey(["silver", name])).checks, *SILVER_CHECKS_EXTRA)
        self.silver = Target(AssetKey(["silver", name]), checks=silver_checks, blocking=frozenset(silver_checks))
        self.quarantine = Target(AssetKey(["quarantine", name]), blocking=frozenset())

    def keys(self) -> list[AssetKey]:
        return [self.bronze.key, self.silver.key, self.quarantine.key]
