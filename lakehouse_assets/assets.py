"""Every asset of the lakehouse, written down once.

The jobs select from this list by partitioning (`jobs.py`), and the code location
(`definitions.py`) serves it; a new table is added here and nowhere else.
"""

from lakehouse_assets.checks.report import dq_report
from lakehouse_assets.crm.assets import CRM_ASSETS
from lakehouse_assets.events.assets import EVENT_ASSETS
from lakehouse_assets.gold.fact_sales import fact_sales
from lakehouse_assets.gold.marts import customer_lifetime_value, monthly_mart_tables
from lakehouse_assets.ingest.assets import ingest
from lakehouse_assets.serving.assets import SERVING_ASSETS
from lakehouse_assets.silver.dimensions import dimensions

ASSETS = [ingest, dimensions, fact_sales, dq_report, monthly_mart_tables, customer_lifetime_value,
          *CRM_ASSETS, *SERVING_ASSETS,
          *EVENT_ASSETS]
