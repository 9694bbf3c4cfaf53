"""deploy/terraform without terraform: the module's defaults agree with the project's
configuration, and every variable and output says what it is for."""

from __future__ import annotations

import re

import yaml

from lakehouse_assets.settings import PROJECT_ROOT, load_settings
from lakehouse_assets_tests.deploy.terraform import MODULE


def _default(variable: str) -> str:
    text = (MODULE / "variables.tf").read_text()
    block = re.search(rf'variable "{variable}" {{(.*?)\n}}', text, re.S)
    assert block, f"variables.tf declares no {variable}"
    value = re.search(r'^\s*default\s*=\s*"?([^"\n]+)"?\s*$', block.group(1), re.M)
    assert value, f"{variable} has no default"
    return value.group(1)


def test_module_defaults_follow_the_s3_config():
    settings = load_settings("s3")
    raw = yaml.safe_load((PROJECT_ROOT / "config" / "s3.yaml").read_text())
    assert int(_default("landing_retention_days")) == settings.orchestration.maintenance.retention_days["bronze"]
    assert raw["landing_root"].split("/", 3)[3] == _default("landing_prefix")
    assert raw["lakehouse_root"].split("/", 3)[3] == _default("lakehouse_prefix")
    assert _default("glue_database_name") == "retail_lakehouse"


def test_every_variable_and_output_is_described():
    for name in ("variables.tf", "outputs.tf"):
        text = (MODULE / name).read_text()
        blocks = re.findall(r'^(?:variable|output) "(\w+)" {(.*?)^}', text, re.S | re.M)
        assert blocks, name
        undescribed = [block for block, body in blocks if not re.search(r"^\s+description\s*=", body, re.M)]
        assert undescribed == [], f"{name}: no description for {undescribed}"
