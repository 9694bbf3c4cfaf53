"""The sections of an environment's settings that configure one part each: Spark, schema
drift, the catalog, the FX API and the CRM source (keys of `config/<env>.yaml`).

`Settings` (`settings.py`) holds one of each; every section has a default for every key, so
a file names only what it changes. A value out of range fails when the file is read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import field
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic.dataclasses import dataclass

from lakehouse_assets.settings_orchestration import MODEL, OrEmpty

SCHEMA_DRIFT_POLICIES = ("reject", "carry")
CATALOG_KINDS = ("none", "glue")


def _spark_value(value: Any) -> Any:
    """A YAML boolean in `spark.conf` is Spark's `true`/`false`."""
    return str(value).lower() if isinstance(value, bool) else value


SparkConf = Annotated[Mapping[str, Annotated[str, BeforeValidator(_spark_value)]], OrEmpty]


def _runtime_sql(conf: Mapping[str, str]) -> Mapping[str, str]:
    wrong = [key for key in conf if not key.startswith("spark.sql.")]
    if wrong:
        raise ValueError(f"only spark.sql.* settings can change between steps, not {', '.join(wrong)}")
    return conf


@dataclass(frozen=True, config=MODEL)
class SmallInputSettings:
    """Spark SQL settings for a step whose input is small (`resources/input_size.py`): applied
    when the landing files of the step's dates add up to at most `max_mb` (0: never)."""

    max_mb: Annotated[float, Field(ge=0)] = 0
    conf: Annotated[SparkConf, AfterValidator(_runtime_sql)] = field(default_factory=dict)


@dataclass(frozen=True, config=MODEL)
class SparkSettings:
    master: str = "local[*]"
    driver_memory: str = "4g"
    shuffle_partitions: int = 4
    # Tables a step writes together, each on a thread of its own (io_managers/step_writes.py).
    write_threads: Annotated[int, Field(ge=1)] = 4
    conf: SparkConf = field(default_factory=dict)
    small_input: Annotated[SmallInputSettings, OrEmpty] = field(default_factory=SmallInputSettings)


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], str]:
    """A validator of a word from `choices`, in any case (kept lower-case)."""

    def check(value: Any) -> str:
        if isinstance(value, str) and value.lower() in choices:
            return value.lower()
        raise ValueError(f"must be one of {', '.join(choices)}, not {value!r}")

    return check


@dataclass(frozen=True, config=MODEL)
class SchemaDriftSettings:
    """What bronze does with a landing column the source contract does not know
    (docs/robustness.md): `reject` quarantines the file's lines as `malformed_row` naming
    the column; `carry` keeps the values in bronze's `_extra` map and validates the rest."""

    new_columns: Annotated[str, BeforeValidator(_one_of(SCHEMA_DRIFT_POLICIES))] = "reject"


@dataclass(frozen=True, config=MODEL)
class CatalogSettings:
    """The table catalog (docs/catalog.md): `kind: glue` registers every table in the Glue
    database `database` after `lakehouse run` and after each asset job; `none` (default)
    leaves that to `lakehouse catalog`."""

    kind: Annotated[str, BeforeValidator(_one_of(CATALOG_KINDS))] = "none"
    database: str = "retail_lakehouse"


@dataclass(frozen=True, config=MODEL)
class FxApiSettings:
    """How `LAKEHOUSE_FX_API_URL` is read (docs/sources.md): per-request timeout, and the total
    time a fetch may spend waiting out 429/503 answers' `Retry-After` before it fails."""

    timeout_seconds: Annotated[float, Field(gt=0)] = 30.0
    max_wait_seconds: Annotated[float, Field(ge=0)] = 300.0


@dataclass(frozen=True, config=MODEL)
class CrmSettings:
    """How the crm source is read when `LAKEHOUSE_CRM_JDBC_URL` is set (docs/sources.md): each
    extraction re-reads `overlap_minutes` below the last high-water mark (rows committed late
    with an older `updated_at`), JDBC fetches `fetch_size` rows a round trip, and the watermark
    check warns when the mark trails the extraction's bound by more than `max_lag_hours`."""

    overlap_minutes: Annotated[int, Field(ge=0)] = 60
    fetch_size: Annotated[int, Field(gt=0)] = 10_000
    max_lag_hours: Annotated[float, Field(gt=0)] = 48.0
