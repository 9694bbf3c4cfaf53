"""The partitions every asset shares: daily tables and the monthly marts mapped from them.

Dates are business dates in UTC. The first partition is fixed in code (partition
definitions are part of the asset graph, not run-time configuration); the last is
today. Daily assets backfill a date range as one run, so a range starts one Spark
session and each table is written once per range.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dagster import BackfillPolicy, DailyPartitionsDefinition, MonthlyPartitionsDefinition, TimeWindowPartitionMapping

PARTITIONS_START = "2015-01-01"
TIMEZONE = "UTC"

daily_partitions = DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone=TIMEZONE, end_offset=1)
monthly_partitions = MonthlyPartitionsDefinition(start_date=PARTITIONS_START, timezone=TIMEZONE, end_offset=1)
single_run_backfill = BackfillPolicy.single_run()
# A month's daily inputs: the days of the month that exist. The current month's later days
# are not partitions yet (daily partitions end today), and its mart is built from the
# days so far; the default mapping would refuse the month.
days_of_month = TimeWindowPartitionMapping(allow_nonexistent_upstream_partitions=True)


def days_in(start: datetime | date, end: datetime | date) -> list[date]:
    """Every date in `[start, end)`."""
    first = start.date() if isinstance(start, datetime) else start
    last = end.date() if isinstance(end, datetime) else end
    return [first + timedelta(days=i) for i in range((last - first).days)]


def month_start(day: date) -> date:
    return day.replace(day=1)
