"""One reading of the standard AWS environment for s3a and delta-rs (`resources/aws_env.py`)."""

from __future__ import annotations

import pytest

from lakehouse_assets.io_managers.delta_rs import delta_rs_storage_options
from lakehouse_assets.resources.aws_env import AwsEnvironment
from lakehouse_assets.resources.spark import s3a_conf

LOCAL = {"AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_DEFAULT_REGION": "eu-west-1",
         "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret-example", "AWS_SESSION_TOKEN": "tok"}


def test_the_s3_endpoint_and_the_region_win_over_the_general_ones():
    aws = AwsEnvironment.read({**LOCAL, "AWS_ENDPOINT_URL_S3": "https://s3.example", "AWS_REGION": "us-east-2"})
    assert (aws.endpoint, aws.region, aws.plain_http) == ("https://s3.example", "us-east-2", False)


@pytest.mark.parametrize("missing", ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
def test_keys_count_only_as_a_pair_and_the_token_only_with_them(missing):
    aws = AwsEnvironment.read({k: v for k, v in LOCAL.items() if k != missing})
    assert (aws.has_keys, aws.access_key, aws.secret_key, aws.session_token) == (False, None, None, None)


def test_s3a_and_delta_rs_are_given_the_same_facts():
    conf, options = s3a_conf(LOCAL), delta_rs_storage_options(LOCAL)
    assert conf["spark.hadoop.fs.s3a.endpoint"] == options["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5000"
    assert conf["spark.hadoop.fs.s3a.connection.ssl.enabled"] == "false" and options["AWS_ALLOW_HTTP"] == "true"
    assert conf["spark.hadoop.fs.s3a.path.style.access"] == "true"
    assert options["AWS_VIRTUAL_HOSTED_STYLE_REQUEST"] == "false"
    assert conf["spark.hadoop.fs.s3a.endpoint.region"] == options["AWS_REGION"] == "eu-west-1"
    assert conf["spark.hadoop.fs.s3a.access.key"] == options["AWS_ACCESS_KEY_ID"] == "AKIDEXAMPLE"
    assert conf["spark.hadoop.fs.s3a.secret.key"] == options["AWS_SECRET_ACCESS_KEY"] == "secret-example"
    assert conf["spark.hadoop.fs.s3a.session.token"] == options["AWS_SESSION_TOKEN"] == "tok"


def test_an_empty_environment_sets_nothing_but_s3as_own_classes():
    assert delta_rs_storage_options({}) == {}
    assert not [k for k in s3a_conf({}) if "endpoint" in k or k.endswith((".key", ".token"))]


def test_repr_never_shows_the_keys():
    text = repr(AwsEnvironment.read(LOCAL))
    assert "secret-example" not in text and "AKIDEXAMPLE" not in text and "tok'" not in text
