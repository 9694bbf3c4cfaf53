"""The current month's marts can run: their daily inputs map to the days that exist.

Daily partitions end today, so the current month's later days are no partitions yet;
a monthly asset whose mapping required them would refuse the month at step start (a
`lakehouse run` of the last few days fails in the monthly run)."""

from __future__ import annotations

from datetime import date

from lakehouse_assets.definitions import defs
from lakehouse_assets.partitions import monthly_partitions


def daily_parents_of_monthly_assets():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        if graph.get(key).partitions_def != monthly_partitions:
            continue
        for parent in graph.get(key).parent_keys:
            parent_def = graph.get(parent).partitions_def
            if parent_def is not None and parent_def != monthly_partitions:
                yield key, parent, graph.get_partition_mapping(key, parent), parent_def


def test_the_current_month_needs_no_day_after_today():
    month = monthly_partitions.empty_subset().with_partition_keys([date.today().replace(day=1).isoformat()])
    pairs = list(daily_parents_of_monthly_assets())
    assert len(pairs) >= 4  # fact -> the three marts, dim_product -> category revenue
    for key, parent, mapping, parent_def in pairs:
        result = mapping.get_upstream_mapped_partitions_result_for_partitions(month, monthly_partitions, parent_def)
        missing = list(result.required_but_nonexistent_subset.get_partition_keys())
        assert missing == [], f"{key.to_user_string()} <- {parent.to_user_string()} needs {missing[:3]}..."
        assert result.partitions_subset.get_partition_keys(), f"{key.to_user_string()} reads no day of {parent}"
