"""The code location: every asset, resource and job of the lakehouse.

Nothing here reads configuration: resources load `config/<env>.yaml` when a run
starts. Runs execute in one process, so each run starts one JVM and one SparkSession.
"""

from dagster import Definitions, EnvVar, in_process_executor

from lakehouse_assets.assets import ASSETS
from lakehouse_assets.io_managers.delta_io_manager import DeltaIOManager
from lakehouse_assets.jobs import ASSET_JOBS
from lakehouse_assets.orchestration import JOBS, RESOURCES, SCHEDULES, SENSORS
from lakehouse_assets.resources.pii import HMAC_KEY_VAR, SALT_VAR, PiiMasking
from lakehouse_assets.resources.spark import SparkResource

spark = SparkResource()

defs = Definitions(
    assets=ASSETS,
    jobs=[*ASSET_JOBS, *JOBS],
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
