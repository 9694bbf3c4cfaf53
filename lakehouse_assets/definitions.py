"""The code location: every asset, resource, job, schedule and sensor of the lakehouse.

Nothing here reads configuration: resources load `config/<env>.yaml` when a run
starts. Runs execute in one process so each run starts one JVM and one SparkSession.
"""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from lakehouse_assets.bronze.assets import bronze_assets
from lakehouse_assets.io_managers.delta_io_manager import DeltaIOManager
from lakehouse_assets.jobs import jobs
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.silver.validated import validated_assets

spark = SparkResource()

defs = Definitions(
    assets=[*bronze_assets, *validated_assets],
    jobs=jobs,
    resources={"spark": spark, "io_manager": DeltaIOManager(spark=spark)},
    executor=in_process_executor,
)
