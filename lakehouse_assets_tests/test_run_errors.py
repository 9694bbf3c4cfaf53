"""A run refused for its configuration, reduced to one sentence (`run_errors.config_error`)."""

from __future__ import annotations

import pytest
from dagster import ConfigurableResource, DagsterInvalidConfigError, EnvVar, job, op

from lakehouse_assets.run_errors import config_error


class Keyed(ConfigurableResource):
    key: str
    salt: str


@op
def uses_key(keyed: Keyed) -> int:
    return len(keyed.key)


@op(config_schema={"rows": int})
def counts(context) -> int:
    return context.op_config["rows"]


def refused(job_def, **kwargs) -> DagsterInvalidConfigError:
    with pytest.raises(DagsterInvalidConfigError) as raised:
        job_def.execute_in_process(**kwargs)
    return raised.value


def test_unset_variables_are_named_sorted_without_dagsters_wording(monkeypatch):
    monkeypatch.delenv("TEST_RUN_ERRORS_SALT", raising=False)
    monkeypatch.delenv("TEST_RUN_ERRORS_KEY", raising=False)

    @job(resource_defs={"keyed": Keyed(key=EnvVar("TEST_RUN_ERRORS_SALT"), salt=EnvVar("TEST_RUN_ERRORS_KEY"))})
    def keyed_job():
        uses_key()

    message = config_error(refused(keyed_job))
    assert message.startswith("TEST_RUN_ERRORS_KEY, TEST_RUN_ERRORS_SALT are not set: ")
    assert "Post processing" not in message and "\n" not in message
    assert "pii-keys.env" not in message  # the local keys' hint is for the masking keys only


def test_one_unset_variable_is_singular(monkeypatch):
    monkeypatch.setenv("TEST_RUN_ERRORS_KEY", "k" * 40)
    monkeypatch.delenv("TEST_RUN_ERRORS_SALT", raising=False)

    @job(resource_defs={"keyed": Keyed(key=EnvVar("TEST_RUN_ERRORS_KEY"), salt=EnvVar("TEST_RUN_ERRORS_SALT"))})
    def keyed_job():
        uses_key()

    assert config_error(refused(keyed_job)).startswith("TEST_RUN_ERRORS_SALT is not set: the run's resources read it ")


def test_other_config_errors_keep_dagsters_messages_on_one_line():
    @job
    def counting_job():
        counts()

    message = config_error(refused(counting_job, run_config={"ops": {"counts": {"config": {"rows": "many"}}}}))
    assert "counts" in message and "rows" in message and "\n" not in message
