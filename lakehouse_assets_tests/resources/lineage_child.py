"""A two-asset Dagster run on Spark with the environment's lineage settings, in a process of its
own (the OpenLineage listener is fixed when the JVM starts):
`python -m lakehouse_assets_tests.resources.lineage_child`. Prints the rows of the second table."""

from __future__ import annotations

from dagster import AssetIn, asset, materialize
from pyspark.sql import DataFrame

from lakehouse_assets.io_managers.delta_io_manager import DeltaIOManager
from lakehouse_assets.resources.settings import LakehouseSettings
from lakehouse_assets.resources.spark import SparkResource


@asset(key=["gold", "numbers"])
def numbers(spark: SparkResource) -> DataFrame:
    return spark.session.range(10).selectExpr("id", "id % 3 AS k")


@asset(key=["gold", "numbers_by_k"], ins={"numbers": AssetIn(key=["gold", "numbers"])})
def numbers_by_k(numbers: DataFrame) -> DataFrame:
    return numbers.groupBy("k").count()


def main() -> None:
    lakehouse = LakehouseSettings()
    spark = SparkResource(lakehouse=lakehouse)
    result = materialize([numbers, numbers_by_k],
                         resources={"lakehouse": lakehouse, "spark": spark, "io_manager": DeltaIOManager(spark=spark)})
    assert result.success
    rows = spark.session.read.format("delta").load(f"{lakehouse.settings.lakehouse_root}/gold/numbers_by_k").count()
    print(f"rows {rows}")


if __name__ == "__main__":
    main()
