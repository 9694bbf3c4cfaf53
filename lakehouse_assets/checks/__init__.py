"""Data-quality checks on the silver, gold and audit tables, and the DQ report (docs/data-quality.md).

`ASSET_CHECKS`: one check step per source (silver + quarantine), the dimensions,
the fact, the file audit, the monthly marts and lifetime value.
`DQ_ASSETS`: the daily audit/dq_report asset, which reads those checks' outcomes.
"""

from lakehouse_assets.checks.report import dq_report
from lakehouse_assets.checks.source_checks import SOURCE_CHECKS
from lakehouse_assets.checks.table_checks import TABLE_CHECKS

ASSET_CHECKS: list = [*SOURCE_CHECKS, *TABLE_CHECKS]
DQ_ASSETS: list = [dq_report]
