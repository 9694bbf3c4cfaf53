"""The code location: every asset, resource and job of the lakehouse.

Nothing here reads configuration: resources load `config/<env>.yaml` when a run
starts. Runs execute in one process, so each run starts one JVM and one SparkSession.
"""

from dagster import Definitions, EnvVar, in_process_executor

from lakehouse_assets.audit.ingested_files import ingested_files
from lakehouse_assets.bronze.assets import bronze_assets
from lakehouse_assets.bronze.checks import BRONZE_CHECKS
from lakehouse_assets.checks import ASSET_CHECKS, DQ_ASSETS
from lakehouse_assets.gold.fact_sales import fact_sales
from lakehouse_assets.gold.marts import monthly_mart_assets, unpartitioned_assets
from lakehouse_assets.io_managers.delta_io_manager import DeltaIOManager
from lakehouse_assets.jobs import build_jobs
from lakehouse_assets.orchestration import JOBS, RESOURCES, SCHEDULES, SENSORS
from lakehouse_assets.resources.pii import HMAC_KEY_VAR, SALT_VAR, PiiMasking
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.silver.dimensions import dimension_assets
from lakehouse_assets.silver.validated import validated_assets

daily_assets = [*bronze_assets, *validated_assets, ingested_files, *dimension_assets, fact_sales, *DQ_ASSETS]
spark = SparkResource()

defs = Definitions(
    assets=[*daily_assets, *monthly_mart_assets, *unpartitioned_assets],
    asset_checks=[*BRONZE_CHECKS, *ASSET_CHECKS],
    jobs=[*build_jobs(daily_assets, monthly_mart_assets, unpartitioned_assets), *JOBS],
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources={
        "spark": spark,
        "io_manager": DeltaIOManager(spark=spark),
        "pii": PiiMasking(hmac_key=EnvVar(HMAC_KEY_VAR), salt=EnvVar(SALT_VAR)),
        **RESOURCES,
    },
    executor=in_process_executor,
)
