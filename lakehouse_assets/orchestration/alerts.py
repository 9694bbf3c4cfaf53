"""Run-failure alerts: a Slack-compatible JSON message (`text` + `blocks`) to a webhook.

The webhook URL is a secret: it comes only from `LAKEHOUSE_SLACK_WEBHOOK_URL` (read
through Dagster's `EnvVar` when the sensor runs; it may hold an
`aws-secretsmanager:<name>` reference). Unset means alerts are off, said once per
failed run in the sensor's log. Links point at `LAKEHOUSE_UI_URL`
(default http://127.0.0.1:3000, what `make ui` serves).
"""

import json
import urllib.request
from collections.abc import Sequence

from dagster import (
    ConfigurableResource,
    DagsterRun,
    DefaultSensorStatus,
    EnvVar,
    RunFailureSensorContext,
    run_failure_sensor,
)

from lakehouse_assets.resources.secrets import resolve_secret
from lakehouse_assets.run_errors import root_cause, step_error
from lakehouse_assets.run_plan import partition_label

WEBHOOK_ENV = "LAKEHOUSE_SLACK_WEBHOOK_URL"
UI_URL_ENV = "LAKEHOUSE_UI_URL"
DEFAULT_UI_URL = "http://127.0.0.1:3000"
MAX_ERROR_CHARS = 1500  # Slack allows 3000 characters per section


class SlackWebhook(ConfigurableResource):
    """Posts JSON messages to a Slack incoming webhook (or any endpoint that accepts the same)."""

    url_env_var: str = WEBHOOK_ENV
    ui_url_env_var: str = UI_URL_ENV
    timeout_seconds: float = 10.0

    def webhook_url(self) -> str | None:
        value = EnvVar(self.url_env_var).get_value()
        return resolve_secret(value, self.url_env_var) if value else None

    def ui_base_url(self) -> str:
        return (EnvVar(self.ui_url_env_var).get_value() or DEFAULT_UI_URL).rstrip("/")

    def post(self, message: dict) -> None:
        """Send `message`; an HTTP error status raises (the sensor tick shows it)."""
        url = self.webhook_url()
        if not url:
            raise ValueError(f"{self.url_env_var} is not set")
        request = urllib.request.Request(url, data=json.dumps(message).encode("utf-8"), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=self.timeout_seconds):
            pass


def assets_by_step(instance, run: DagsterRun) -> dict[str, list[str]]:
    """Step key -> the `layer/table` keys it materializes, from the run's execution plan."""
    if not run.execution_plan_snapshot_id:
        return {}
    snapshot = instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id)
    return {step.key: ["/".join(o.properties.asset_key.path) for o in step.outputs
                       if o.properties is not None and o.properties.asset_key is not None]
            for step in snapshot.steps}


def failure_message(run: DagsterRun, failures: Sequence[tuple[list[str], str]], run_error: str | None,
                    ui_base_url: str) -> dict:
    """The alert: `failures` is (asset keys, reason) per failed step."""
    link = f"{ui_base_url}/runs/{run.run_id}"
    assets = ", ".join(a for keys, _ in failures for a in keys) or "(no step ran)"
    reasons = [f"{', '.join(keys)}: {reason}" for keys, reason in failures] or [run_error or "unknown error"]
    error = "\n".join(reasons)[:MAX_ERROR_CHARS]
    partition = partition_label(run.tags)
    first_reason = failures[0][1] if failures else reasons[0]
    text = (f"Lakehouse run failed: {run.job_name}, assets {assets}, partition {partition}. "
            f"Error: {first_reason[:300]}. Run: {link}")
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": f"Lakehouse run failed: {run.job_name}"}},
        {"type": "section", "fields": [
            {"type": "mrkdwn", "text": f"*Assets*\n{assets}"},
            {"type": "mrkdwn", "text": f"*Partition*\n{partition}"},
        ]},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Error*\n```{error}```"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"<{link}|Open run {run.run_id[:8]} in Dagster>"}},
    ]
    return {"text": text, "blocks": blocks}


@run_failure_sensor(
    name="slack_on_run_failure",
    default_status=DefaultSensorStatus.RUNNING,
    description="Posts every failed run (assets, partition, error, link) to the Slack webhook.",
)
def slack_on_run_failure(context: RunFailureSensorContext, slack: SlackWebhook) -> None:
    run = context.dagster_run
    if not slack.webhook_url():
        context.log.info(f"run {run.run_id} failed; alerts are off ({slack.url_env_var} is not set)")
        return
    steps = assets_by_step(context.instance, run)
    failures = [(steps.get(e.step_key or "", []) or [e.step_key or "?"], step_error(e))
                for e in context.get_step_failure_events()]
    run_error = getattr(context.failure_event.event_specific_data, "error", None)
    reason = root_cause(run_error) if run_error is not None else context.failure_event.message
    slack.post(failure_message(run, failures, reason, slack.ui_base_url()))
    context.log.info(f"alert sent for failed run {run.run_id}")
