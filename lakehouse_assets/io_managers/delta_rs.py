"""Delta tables read without Spark, through delta-rs (the `deltalake` package).

For what needs only a table's log or a few small reads: a commit's metrics
(`DeltaTables.last_commit`), the fact's row counts per date, the sensor's record of
ingested files, and tests comparing whole lakehouses. Local paths and S3 (`s3://`,
`s3a://`) alike, with the same AWS environment Spark's s3a is configured from.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import deltalake

from lakehouse_assets.resources.aws_env import AwsEnvironment
from lakehouse_assets.resources.landing import canonical_uri, is_s3


def delta_rs_storage_options(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """delta-rs (object_store) settings for S3 from the same standard AWS environment that
    `resources.spark.s3a_conf` gives s3a: endpoint (path-style, as s3a), region, keys."""
    aws = AwsEnvironment.read(environ)
    options: dict[str, str] = {}
    if aws.endpoint:
        options["AWS_ENDPOINT_URL"] = aws.endpoint
        options["AWS_VIRTUAL_HOSTED_STYLE_REQUEST"] = "false"
        options["AWS_ALLOW_HTTP"] = str(aws.plain_http).lower()
    if aws.region:
        options["AWS_REGION"] = aws.region
    if aws.has_keys:
        options["AWS_ACCESS_KEY_ID"] = aws.access_key
        options["AWS_SECRET_ACCESS_KEY"] = aws.secret_key
        if aws.session_token:
            options["AWS_SESSION_TOKEN"] = aws.session_token
    return options


def open_delta_rs(uri: str, **kwargs: Any) -> deltalake.DeltaTable:
    """The Delta table at `uri` (a local path, `s3://` or `s3a://`) through delta-rs, without
    Spark; raises `deltalake.exceptions.TableNotFoundError` if there is no table."""
    if is_s3(uri):
        return deltalake.DeltaTable(canonical_uri(uri), storage_options=delta_rs_storage_options(), **kwargs)
    return deltalake.DeltaTable(uri if "://" in uri else os.path.abspath(uri), **kwargs)
