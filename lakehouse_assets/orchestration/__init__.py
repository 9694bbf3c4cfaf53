"""Unattended operation: schedules, landing sensors, alerts and maintenance jobs.

What the code location adds to the asset jobs (docs/operations.md):
- `daily_lakehouse` schedule: the daily job for the last complete business day;
- `landing_files` sensor: new landing files (local folder or S3) start the daily job
  for their dates; `follow_up_daily_runs`: after each successful daily run, its
  months' marts, customer lifetime value and (if configured) the landing archive;
- `slack_on_run_failure`: failed runs posted to a Slack webhook;
- `weekly_maintenance` schedule: retention, OPTIMIZE and VACUUM of every table;
- `register_catalog_after_runs`: the Glue catalog after each asset job, when
  `catalog.kind` is glue (docs/catalog.md);
- `fetch_fx_rates` job and `fx_rates_yesterday` schedule: a day's rates from the FX API
  landed as a file, when `LAKEHOUSE_FX_API_URL` is set (docs/sources.md);
- `events_stream_every_15_minutes` and `events_yesterday` schedules: the events source's
  stream and yesterday's silver/events and funnel, when `LAKEHOUSE_KAFKA_BOOTSTRAP` is set.
"""

from lakehouse_assets.catalog.job import catalog_job, register_catalog_after_runs
from lakehouse_assets.maintenance.job import build_maintenance_schedule, maintenance_job
from lakehouse_assets.orchestration.alerts import SlackWebhook, slack_on_run_failure
from lakehouse_assets.orchestration.archive import archive_job
from lakehouse_assets.orchestration.events import build_events_schedules
from lakehouse_assets.orchestration.follow_up import follow_up_daily_runs
from lakehouse_assets.orchestration.fx_rates import build_fx_schedule, fx_job
from lakehouse_assets.orchestration.landing_sensor import build_landing_sensor
from lakehouse_assets.orchestration.schedules import build_daily_schedule
from lakehouse_assets.settings import definition_settings

_at_load = definition_settings()

SCHEDULES: list = [build_daily_schedule(_at_load), build_maintenance_schedule(_at_load), build_fx_schedule(_at_load),
                   *build_events_schedules(_at_load)]
SENSORS: list = [build_landing_sensor(_at_load), follow_up_daily_runs, slack_on_run_failure,
                 register_catalog_after_runs]
JOBS: list = [archive_job, maintenance_job, catalog_job, fx_job]
RESOURCES: dict = {"slack": SlackWebhook()}
