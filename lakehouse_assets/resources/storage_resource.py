"""The `storage` resource: the landing zone and the lakehouse as file stores.

Sensors, ops and assets that list, read or write files (landing files, archives, the
DQ report's chart) take this resource instead of making boto3 clients and branching on
the scheme themselves. It owns the roots (from the `lakehouse` settings) and makes one
boto3 client per run or tick, from the standard AWS environment, only when a root is
on S3; every S3 write asks for the configured server-side encryption.
"""

from __future__ import annotations

from typing import Any

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from lakehouse_assets.resources.s3_store import s3_client
from lakehouse_assets.resources.settings import LakehouseSettings
from lakehouse_assets.resources.storage import FileStore, is_s3, store_for
from lakehouse_assets.settings import Settings


class LakehouseStorage(ConfigurableResource):
    """`landing` and `lake`: the stores of `landing_root` and `lakehouse_root`."""

    lakehouse: LakehouseSettings

    _client: Any = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._client = None  # made when first needed, from this run's environment

    @property
    def settings(self) -> Settings:
        return self.lakehouse.settings

    @property
    def landing_root(self) -> str:
        return self.settings.landing_root

    @property
    def lakehouse_root(self) -> str:
        return self.settings.lakehouse_root

    @property
    def client(self):
        """The boto3 S3 client shared by the stores; None while neither root is on S3."""
        if self._client is None and (is_s3(self.landing_root) or is_s3(self.lakehouse_root)):
            self._client = s3_client()
        return self._client

    def store(self, uri: str) -> FileStore:
        """The store of any URI, with this resource's client and the configured encryption."""
        return store_for(uri, self.client, self.settings.s3_encryption)

    @property
    def landing(self) -> FileStore:
        return self.store(self.landing_root)

    @property
    def lake(self) -> FileStore:
        return self.store(self.lakehouse_root)
