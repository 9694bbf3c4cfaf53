"""The `lakehouse` resource: the environment's settings, read when a run or a sensor tick starts.

Assets, ops and sensors that need a plain setting (a root, the incentive rate, the
archive flag) take this resource instead of calling `load_settings()` themselves or
borrowing the Spark resource, so a run reads `config/<env>.yaml` once and a test can
hand any component the settings it wants. `env` picks the file; empty means
`LAKEHOUSE_ENV` (default `local`).
"""

from __future__ import annotations

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from lakehouse_assets.settings import Settings, load_settings


class LakehouseSettings(ConfigurableResource):
    """`config/<env>.yaml` with the environment's overrides, loaded once per run or tick."""

    env: str = ""

    _settings: Settings | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._settings = load_settings(self.env or None)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.env or None)
        return self._settings
