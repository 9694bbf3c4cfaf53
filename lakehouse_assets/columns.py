"""Column names and column types that several layers share, defined once.

The lowest layer of the package (next to `sources` and `settings`): readers,
transforms, contracts, assets and maintenance all name these columns, so none of
them has to import another layer's module to spell `_partition_date`.
"""

from __future__ import annotations

from pyspark.sql import types as T

# Bronze lineage: the line as landed and why it could not be parsed.
RAW_LINE = "_raw_line"
PARSE_ERROR = "_parse_error"
# The landing date of a row (from its file's `date=` folder): bronze's partition column.
PARTITION_COLUMN = "_partition_date"
# Every lineage column bronze adds to a source's columns, in table order.
LINEAGE_COLUMNS = (
    RAW_LINE, PARSE_ERROR, "_source_file", "_source_format", "_file_hash", "_file_size",
    "_file_modified_at", "_duplicate_of", "_row_seq", "_ingested_at", "_run_id", PARTITION_COLUMN,
)
# When a master-data record's state was recorded: SCD versions start there.
UPDATED_AT_COL = "updated_at"
# HMAC over the raw PII values of a row, added to silver by masking.
FINGERPRINT_COL = "pii_fingerprint"

# Money in a row's currency or USD, sums of money, and FX rates (USD per unit).
MONEY = T.DecimalType(14, 2)
BIG_MONEY = T.DecimalType(16, 2)
RATE = T.DecimalType(18, 8)
