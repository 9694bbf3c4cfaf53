"""Registering tables in a Glue-compatible catalog, idempotently.

The database is created when missing; a table is created when missing and updated only
when what it holds differs from its `TableInput`, so a second registration sends no
write and leaves every table's UpdateTime and VersionId as they were. The boto3 client
comes from the standard AWS environment: `AWS_ENDPOINT_URL` points it at any
Glue-compatible endpoint (moto's server in the tests).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import boto3

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
DATABASE_DESCRIPTION = "Retail lakehouse: every Delta table of the bronze, silver, quarantine, gold and audit layers."


def glue_client():
    """A boto3 Glue client from the standard AWS environment (AWS_ENDPOINT_URL included).
    boto3 reads the region from AWS_DEFAULT_REGION only; AWS_REGION is honoured here too."""
    return boto3.client("glue", region_name=os.environ.get("AWS_REGION") or None)


def differs(wanted: Any, held: Any) -> bool:
    """True when `held` (what GetTable returns) does not say what `wanted` says. Fields the
    catalog adds on its own (CreateTime, VersionId, defaults of fields we leave out) are not
    compared; lists are compared item by item, so a column added, dropped or moved differs."""
    if isinstance(wanted, dict):
        return not isinstance(held, dict) or any(differs(v, held.get(k)) for k, v in wanted.items())
    if isinstance(wanted, list):
        return (not isinstance(held, list) or len(wanted) != len(held)
                or any(differs(w, h) for w, h in zip(wanted, held)))
    return wanted != held


@dataclass
class Registration:
    """What one registration did: table name -> created, updated or unchanged."""

    database: str
    database_created: bool = False
    tables: dict[str, str] = field(default_factory=dict)

    def named(self, outcome: str) -> list[str]:
        return sorted(name for name, done in self.tables.items() if done == outcome)

    def summary(self) -> str:
        counts = ", ".join(f"{len(self.named(o))} {o}" for o in (CREATED, UPDATED, UNCHANGED))
        created = " (database created)" if self.database_created else ""
        return f"{len(self.tables)} table(s) in {self.database}{created}: {counts}"


class GlueCatalog:
    """One database of a Glue Data Catalog (or of a Glue-compatible endpoint)."""

    def __init__(self, database: str, client=None):
        self.database = database
        self.client = client if client is not None else glue_client()

    def ensure_database(self, description: str = DATABASE_DESCRIPTION) -> bool:
        """Create the database if it is missing; True if this call created it."""
        try:
            self.client.get_database(Name=self.database)
            return False
        except self.client.exceptions.EntityNotFoundException:
            pass
        try:
            self.client.create_database(DatabaseInput={"Name": self.database, "Description": description})
        except self.client.exceptions.AlreadyExistsException:
            return False  # another registration created it first
        return True

    def get_table(self, name: str) -> dict | None:
        try:
            return self.client.get_table(DatabaseName=self.database, Name=name)["Table"]
        except self.client.exceptions.EntityNotFoundException:
            return None

    def register_table(self, table_input: dict) -> str:
        """Create the table, or update it when it differs from `table_input`; the outcome."""
        held = self.get_table(table_input["Name"])
        if held is None:
            try:
                self.client.create_table(DatabaseName=self.database, TableInput=table_input)
                return CREATED
            except self.client.exceptions.AlreadyExistsException:
                held = self.get_table(table_input["Name"])  # a concurrent registration won
        if held is not None and not differs(table_input, held):
            return UNCHANGED
        self.client.update_table(DatabaseName=self.database, TableInput=table_input)
        return UPDATED

    def register(self, table_inputs: Iterable[dict]) -> Registration:
        """The database, then every table; tables not in `table_inputs` are left as they are."""
        result = Registration(self.database, database_created=self.ensure_database())
        for table_input in table_inputs:
            result.tables[table_input["Name"]] = self.register_table(table_input)
        return result
