"""Run-time configuration: one YAML file per environment in `config/`.

`LAKEHOUSE_ENV` (default `local`) picks `config/<env>.yaml`; `LAKEHOUSE_LANDING_ROOT`
and `LAKEHOUSE_ROOT` override the two roots, `LAKEHOUSE_SPARK_MASTER` the Spark master,
`LAKEHOUSE_CATALOG` the catalog kind, `LAKEHOUSE_OPENLINEAGE_URL` the lineage receiver.
Nothing here runs at import time: resources call `load_settings()` when a run starts,
so a test or a shell can change the environment between runs without reloading modules.

The settings are frozen pydantic dataclasses (so `dataclasses.replace` works): an unknown
key or a bad value is a one-line `ConfigError` naming the file, the key path and the problem.
"""

from __future__ import annotations

import os
import reprlib
from collections.abc import Callable, Mapping
from dataclasses import field
from decimal import Decimal
from functools import reduce
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BeforeValidator, TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass

from lakehouse_assets.encryption import S3Encryption
from lakehouse_assets.settings_orchestration import MIN_VACUUM_RETENTION_HOURS as MIN_VACUUM_RETENTION_HOURS
from lakehouse_assets.settings_orchestration import MODEL, OrchestrationSettings, OrEmpty
from lakehouse_assets.settings_orchestration import MaintenanceSettings as MaintenanceSettings
from lakehouse_assets.settings_sections import (
    CatalogSettings,
    CrmSettings,
    FxApiSettings,
    SchemaDriftSettings,
    SparkSettings,
)
from lakehouse_assets.sources import DEFAULT_CURRENCIES

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ENV = "local"


class ConfigError(ValueError):
    """The configuration cannot be used; the message says which file and key."""


def _encryption(value: Any) -> Any:
    """`s3_encryption` as a file writes it (`mode`, `kms_key_id`); an S3Encryption passes."""
    return S3Encryption.from_mapping(value) if value is None or isinstance(value, Mapping) else value


Root = Annotated[str, AfterValidator(lambda value: resolve_root(value, PROJECT_ROOT))]


@dataclass(frozen=True, config=MODEL)
class LineageSettings:
    """OpenLineage events from Spark (docs/operations.md, Lineage): on when `enabled` or when
    `LAKEHOUSE_OPENLINEAGE_URL` is set. With the URL they are POSTed there (HTTP transport),
    else appended as JSON lines to `file` (empty: `{lakehouse_root}/_lineage/openlineage.jsonl`)."""

    enabled: bool = False
    namespace: str = "lakehouse"
    url: str = ""
    file: Annotated[str, AfterValidator(lambda value: resolve_root(value, PROJECT_ROOT) if value else "")] = ""


@dataclass(frozen=True, config=MODEL)
class Settings:
    env: str
    landing_root: Root
    lakehouse_root: Root
    currencies: tuple[str, ...] = DEFAULT_CURRENCIES
    incentive_rate: Decimal = Decimal("0.01")
    spark: Annotated[SparkSettings, OrEmpty] = field(default_factory=SparkSettings)
    s3_encryption: Annotated[S3Encryption, BeforeValidator(_encryption)] = field(default_factory=S3Encryption)
    orchestration: Annotated[OrchestrationSettings, OrEmpty] = field(default_factory=OrchestrationSettings)
    schema_drift: Annotated[SchemaDriftSettings, OrEmpty] = field(default_factory=SchemaDriftSettings)
    catalog: Annotated[CatalogSettings, OrEmpty] = field(default_factory=CatalogSettings)
    fx_api: Annotated[FxApiSettings, OrEmpty] = field(default_factory=FxApiSettings)
    crm: Annotated[CrmSettings, OrEmpty] = field(default_factory=CrmSettings)
    lineage: Annotated[LineageSettings, OrEmpty] = field(default_factory=LineageSettings)


def config_dir() -> Path:
    return Path(os.environ.get("LAKEHOUSE_CONFIG_DIR", PROJECT_ROOT / "config"))


def resolve_root(value: str, base: Path) -> str:
    """An S3 URI stays as it is; a local path becomes absolute (relative to `base`)."""
    if value.startswith(("s3://", "s3a://")):
        return value.rstrip("/")
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def load_settings(env: str | None = None) -> Settings:
    """Read `config/<env>.yaml` (over the file it `extends`) and apply the environment overrides."""
    env = env or os.environ.get("LAKEHOUSE_ENV", DEFAULT_ENV)
    files = _config_files(env)
    return _validated(env, reduce(merged, (raw for _, raw in files), {}), lambda loc: _shown(_origin(files, loc)))


def _shown(path: Path) -> str:
    """`path` relative to the working directory when it is under it: `config/local.yaml`."""
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def _config_files(env: str, seen: tuple[str, ...] = ()) -> list[tuple[Path, dict[str, Any]]]:
    """`config/<env>.yaml` after the files it extends, base first: a file with `extends: <base>`
    holds only what differs from `config/<base>.yaml` and is merged over it (`merged`)."""
    path = config_dir() / f"{env}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in config_dir().glob("*.yaml"))
        raise ConfigError(f"LAKEHOUSE_ENV={env!r}: no file {_shown(path)} (known environments: {known})")
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as bad:
        raise ConfigError(f"{_shown(path)}: not valid YAML: {' '.join(str(bad).split())}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{_shown(path)}: must be a mapping of settings, not {type(raw).__name__}")
    base = raw.pop("extends", None)
    if base is None:
        return [(path, raw)]
    if base in (*seen, env):
        raise ConfigError(f"{_shown(path)}: `extends: {base}` makes a cycle ({' -> '.join((*seen, env, base))})")
    return [*_config_files(str(base), (*seen, env)), (path, raw)]


def _origin(files: list[tuple[Path, dict[str, Any]]], loc: tuple[str | int, ...]) -> Path:
    """The file that sets the key at `loc`: the last of the chain that holds most of its path."""
    def depth(raw: Any) -> int:
        held = 0
        for key in loc:
            if not isinstance(raw, Mapping) or key not in raw:
                break
            raw, held = raw[key], held + 1
        return held

    deepest = max(depth(raw) for _, raw in files)
    return [path for path, raw in files if depth(raw) == deepest][-1]


def merged(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`override` over `base`: nested mappings merged key by key, anything else replaced."""
    out = dict(base)
    for key, value in override.items():
        out[key] = merged(out[key], value) if isinstance(value, Mapping) and isinstance(out.get(key), Mapping) \
            else value
    return out


def settings_from_mapping(env: str, raw: Mapping[str, Any], source: Path | str = "<config>") -> Settings:
    """`raw` (a config file's mapping, its base already merged) as Settings; errors name `source`."""
    return _validated(env, raw, lambda loc: str(source))


_SETTINGS = TypeAdapter(Settings)
SPARK_MASTER_VAR = "LAKEHOUSE_SPARK_MASTER"
CATALOG_VAR = "LAKEHOUSE_CATALOG"
OPENLINEAGE_URL_VAR = "LAKEHOUSE_OPENLINEAGE_URL"


def _validated(env: str, raw: Mapping[str, Any], origin: Callable[[tuple], str]) -> Settings:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{origin(())}: must be a mapping of settings, not {type(raw).__name__}")
    if "env" in raw:
        raise ConfigError(f"{origin(('env',))}: env: unknown key (the environment is the file's name)")
    data = {**raw, "env": env}
    for key, variable in (("landing_root", "LAKEHOUSE_LANDING_ROOT"), ("lakehouse_root", "LAKEHOUSE_ROOT")):
        if os.environ.get(variable):  # relative to the working directory, not the project
            data[key] = resolve_root(os.environ[variable], Path.cwd())
    if os.environ.get(SPARK_MASTER_VAR):  # e.g. spark://host:7077 for a standalone cluster
        data["spark"] = {**(data.get("spark") or {}), "master": os.environ[SPARK_MASTER_VAR]}
    if os.environ.get(CATALOG_VAR):  # glue: register the tables after every run
        data["catalog"] = {**(data.get("catalog") or {}), "kind": os.environ[CATALOG_VAR]}
    if os.environ.get(OPENLINEAGE_URL_VAR):  # lineage on, POSTed to this receiver
        data["lineage"] = {**(data.get("lineage") or {}), "url": os.environ[OPENLINEAGE_URL_VAR]}
    try:
        return _SETTINGS.validate_python(data)
    except ValidationError as invalid:
        raise ConfigError("; ".join(_described(error, origin) for error in invalid.errors())) from None


_PROBLEMS = {"extra_forbidden": "unknown key", "unexpected_keyword_argument": "unknown key",
             "missing": "required key is missing", "missing_argument": "required key is missing"}
_EXPECTED = {"bool": "true or false", "string": "text", "int": "an integer", "float": "a number",  # by type prefix
             "decimal": "a decimal number", "tuple": "a list", "dict": "a mapping", "dataclass": "a mapping"}


def _described(error: Any, origin: Callable[[tuple], str]) -> str:
    """One pydantic error as `file: key.path: problem`."""
    kind, ctx, loc, value = error["type"], error.get("ctx") or {}, tuple(error["loc"]), error["input"]
    if kind in _PROBLEMS:
        problem = _PROBLEMS[kind]
    elif kind == "value_error":
        problem = str(ctx["error"])
    elif {"ge", "le"} & ctx.keys():
        problem = f"{value!r} is out of range (must be {'>= ' if 'ge' in ctx else '<= '}{ctx.get('ge', ctx.get('le'))})"
    else:
        expected = _EXPECTED.get(kind.split("_")[0])
        problem = f"{'must be ' + expected if expected else error['msg']}, not {reprlib.repr(value)}"
    return ": ".join([origin(loc), *([".".join(map(str, loc))] if loc else []), problem])


def definition_settings() -> OrchestrationSettings:
    """The orchestration settings that shape the code location's *definitions*.

    Dagster needs a schedule's cron string and time zone, a sensor's interval and a
    job's retry policy when the code location loads, so these (and only these) are read
    from `config/<env>.yaml` at that moment; a change needs a code-location reload
    (`dagster dev` reloads on restart). Everything a run or a sensor tick does reads its
    configuration when it starts."""
    return load_settings().orchestration
