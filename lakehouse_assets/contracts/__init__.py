"""Table contracts: one pandera (PySpark backend) schema per silver, gold and audit table.

`CONTRACTS` maps an asset key to its schema; `column_schema_metadata(key)` is the
definition metadata that shows it as the asset's column schema in the UI.
"""

from __future__ import annotations

from collections.abc import Sequence

from dagster import AssetKey, TableColumn, TableColumnConstraints, TableConstraints, TableSchema
from pandera.pyspark import DataFrameSchema

from lakehouse_assets.contracts.audit import AUDIT_CONTRACTS
from lakehouse_assets.contracts.base import RULE_KIND, key_columns, spark_type
from lakehouse_assets.contracts.crm import CRM_CONTRACTS
from lakehouse_assets.contracts.dimensions import DIMENSION_CONTRACTS
from lakehouse_assets.contracts.events import EVENT_CONTRACTS
from lakehouse_assets.contracts.gold import GOLD_CONTRACTS
from lakehouse_assets.contracts.silver import QUARANTINE_CONTRACTS, SILVER_CONTRACTS

CONTRACTS: dict[tuple[str, str], DataFrameSchema] = {
    **SILVER_CONTRACTS, **QUARANTINE_CONTRACTS, **DIMENSION_CONTRACTS, **GOLD_CONTRACTS, **AUDIT_CONTRACTS,
    **CRM_CONTRACTS, **EVENT_CONTRACTS,
}
COLUMN_SCHEMA_KEY = "dagster/column_schema"


def contract_for(key: AssetKey | Sequence[str]) -> DataFrameSchema:
    path = tuple(key.path if isinstance(key, AssetKey) else key)
    try:
        return CONTRACTS[path]  # type: ignore[index]
    except KeyError:
        raise KeyError(f"no contract for table {'/'.join(path)}") from None


def table_schema(schema: DataFrameSchema) -> TableSchema:
    """The Dagster column schema of a contract: types, descriptions, nullability, value checks, keys."""
    keys = key_columns(schema)
    columns = []
    for name, column in schema.columns.items():
        dtype = spark_type(column)
        columns.append(TableColumn(
            name=name,
            type=dtype.simpleString() if dtype is not None else "any",
            description=column.description,
            constraints=TableColumnConstraints(
                nullable=column.nullable,
                unique=keys == (name,),
                other=[check.error or check.name for check in column.checks],
            ),
        ))
    other = [f"unique key: ({', '.join(keys)})"] if keys else []
    other += [check.error or check.name for check in schema.checks if RULE_KIND in (check.statistics or {})]
    return TableSchema(columns=columns, constraints=TableConstraints(other=other))


def column_schema_metadata(key: Sequence[str]) -> dict:
    """Definition metadata for an asset: its contract as the UI's column schema."""
    return {COLUMN_SCHEMA_KEY: table_schema(contract_for(key))}
