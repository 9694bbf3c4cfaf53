"""Data-quality checks (docs/data-quality.md) and the DQ report.

Checks are declared on the assets that write their tables (`check_specs`) and
measured in the same step, on the frame before it is written (`audit.py`): the
contract engine (`metrics.py`, `results.py`), row accounting and quarantine share
(`accounting.py`), the fact's WARN checks (`fact.py`). `report.py` builds the daily
audit/dq_report from the results a run recorded.
"""
