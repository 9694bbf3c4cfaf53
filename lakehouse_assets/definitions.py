"""The code location: every asset, resource and job of the lakehouse.

Runs, sensor ticks and ops read `config/<env>.yaml` when they start, through the
`lakehouse` resource. Only what Dagster needs when the code location loads (cron
strings, sensor intervals, the jobs' retry policy) is read at import, by
`settings.definition_settings`. Runs execute in one process, so each run starts one
JVM and one SparkSession.
"""

from dagster import Definitions, EnvVar, in_process_executor

from lakehouse_assets.assets import ASSETS
from lakehouse_assets.io_managers.delta_io_manager import DeltaIOManager
from lakehouse_assets.jobs import ASSET_JOBS
from lakehouse_assets.orchestration import JOBS, RESOURCES, SCHEDULES, SENSORS
from lakehouse_assets.resources.crm_db import CRM_URL_VAR, CRM_USER_VAR, CrmDatabase
from lakehouse_assets.resources.mart_db import MART_PASSWORD_VAR, MART_URL_VAR, MART_USER_VAR, MartDatabase
from lakehouse_assets.resources.pii import HMAC_KEY_VAR, SALT_VAR, PiiMasking
from lakehouse_assets.resources.settings import LakehouseSettings
from lakehouse_assets.resources.spark import SparkResource
from lakehouse_assets.resources.storage_resource import LakehouseStorage

lakehouse = LakehouseSettings()
spark = SparkResource(lakehouse=lakehouse)

defs = Definitions(
    assets=ASSETS,
    jobs=[*ASSET_JOBS, *JOBS],
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources={
        "lakehouse": lakehouse,
        "spark": spark,
        "storage": LakehouseStorage(lakehouse=lakehouse),
        "io_manager": DeltaIOManager(spark=spark),
        "pii": PiiMasking(hmac_key=EnvVar(HMAC_KEY_VAR), salt=EnvVar(SALT_VAR)),
        # Needed by the serving jobs only; read when one of their runs starts.
        "mart_db": MartDatabase(url=EnvVar(MART_URL_VAR), user=EnvVar(MART_USER_VAR),
                                password=EnvVar(MART_PASSWORD_VAR)),
        # Needed by the crm jobs only; the password is read from LAKEHOUSE_CRM_PASSWORD when a run
        # starts (empty: a server that trusts local clients).
        "crm_db": CrmDatabase(url=EnvVar(CRM_URL_VAR), user=EnvVar(CRM_USER_VAR)),
        **RESOURCES,
    },
    executor=in_process_executor,
)
