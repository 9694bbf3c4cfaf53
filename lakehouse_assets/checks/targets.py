"""A checked table: its contract, the checks defined on it and which of them block.

Asset steps declare their targets' checks as `check_specs`, so each check shows on
its table in the UI while it is evaluated inside the step that writes the table
(`checks/audit.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dagster import AssetCheckKey, AssetCheckSpec, AssetExecutionContext, AssetKey
from pandera.pyspark import DataFrameSchema

from lakehouse_assets.checks.results import CHECK_DESCRIPTIONS, CONTRACT_CHECKS
from lakehouse_assets.contracts import contract_for
from lakehouse_assets.contracts.base import window_column


@dataclass(frozen=True)
class Target:
    """One checked table: its contract, its checks and which of them block."""

    key: AssetKey
    checks: tuple[str, ...] = CONTRACT_CHECKS
    blocking: frozenset[str] = frozenset(CONTRACT_CHECKS)

    @property
    def schema(self) -> DataFrameSchema:
        return contract_for(self.key)

    @property
    def window_column(self) -> str | None:
        return window_column(self.schema)

    def specs(self) -> list[AssetCheckSpec]:
        return [AssetCheckSpec(name, asset=self.key, description=CHECK_DESCRIPTIONS[name],
                               blocking=name in self.blocking) for name in self.checks]

    def selected(self, context: AssetExecutionContext) -> set[str]:
        chosen = context.selected_asset_check_keys
        return {name for name in self.checks if AssetCheckKey(self.key, name) in chosen}


def target(layer: str, table: str, **kwargs) -> Target:
    return Target(AssetKey([layer, table]), **kwargs)


def specs_of(targets: Iterable[Target]) -> list[AssetCheckSpec]:
    return [spec for t in targets for spec in t.specs()]
