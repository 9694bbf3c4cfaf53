"""terraform run on a copy of deploy/terraform against moto's server (test_terraform).

The copy carries one addition, `moto_override.tf`, a Terraform override file that merges
the endpoints, fake keys and skip flags into the module's provider block; the committed
module carries none of them. The test's variables (bucket names, force_destroy, no
recovery windows) come from a tfvars file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from lakehouse_assets.settings import PROJECT_ROOT

MODULE = PROJECT_ROOT / "deploy" / "terraform"
CLI_CONFIG = MODULE / "terraform.rc"
LANDING_BUCKET = "tf-retail-landing"
LAKEHOUSE_BUCKET = "tf-retail-lakehouse"
PREFIX = "retail-lakehouse"  # name_prefix's default
SECRET_NAMES = {f"{PREFIX}/{name}" for name in ("pii-hmac-key", "pii-salt", "mart-password", "bi-password")}
RESTRICTED_LAYERS = ("bronze", "quarantine")
# The services the provider is pointed at; each has an `endpoints` argument of that name.
SERVICES = ("s3", "kms", "glue", "secretsmanager", "iam", "sts", "emrserverless")


def _mirror() -> Path:
    """The filesystem mirror named by the committed CLI configuration."""
    found = re.search(r'filesystem_mirror\s*{[^}]*path\s*=\s*"([^"]+)"', CLI_CONFIG.read_text())
    assert found, f"{CLI_CONFIG} names no filesystem_mirror path"
    return Path(found.group(1))


def _locked_aws_version() -> str:
    lock = (MODULE / ".terraform.lock.hcl").read_text()
    found = re.search(r'provider "registry.terraform.io/hashicorp/aws" {\s*version\s*=\s*"([^"]+)"', lock)
    assert found, "deploy/terraform/.terraform.lock.hcl pins no hashicorp/aws version"
    return found.group(1)


def _why_not_runnable() -> str | None:
    if shutil.which("terraform") is None:
        return ("terraform not found on PATH: install Terraform >= 1.5 "
                "(https://developer.hashicorp.com/terraform/install) to run the deployment test")
    version = _locked_aws_version()
    provider = _mirror() / "registry.terraform.io" / "hashicorp" / "aws" / version
    if not provider.is_dir():
        return (f"the provider mirror named by deploy/terraform/terraform.rc has no hashicorp/aws {version} "
                f"({provider} is missing): on a machine with registry access run "
                f"`terraform providers mirror {_mirror()}` in deploy/terraform and copy the folder here")
    return None


needs_terraform = pytest.mark.skipif(_why_not_runnable() is not None, reason=_why_not_runnable() or "")


def _override(endpoint: str) -> str:
    endpoints = "\n".join(f'    {service} = "{endpoint}"' for service in SERVICES)
    return f"""\
provider "aws" {{
  access_key                  = "testing"
  secret_key                  = "testing-secret"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {{
{endpoints}
  }}
}}
"""


class Terraform:
    """terraform in a copy of the module, with its own data dir and the committed CLI config."""

    def __init__(self, workdir: Path, endpoint: str) -> None:
        self.workdir = workdir
        self.env = {
            **os.environ,
            "TF_CLI_CONFIG_FILE": str(CLI_CONFIG),
            "TF_DATA_DIR": str(workdir / ".terraform"),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        shutil.copytree(MODULE, workdir, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
        (workdir / "moto_override.tf").write_text(_override(endpoint))
        (workdir / "test.tfvars.json").write_text(json.dumps({
            "landing_bucket_name": LANDING_BUCKET,
            "lakehouse_bucket_name": LAKEHOUSE_BUCKET,
            "force_destroy": True,
            "secret_recovery_window_days": 0,
            "kms_deletion_window_days": 7,
        }))
        self.destroyed = False

    def __call__(self, *args: str, timeout: int = 300) -> str:
        done = subprocess.run(["terraform", *args, "-no-color"], cwd=self.workdir, env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, f"terraform {args[0]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    def apply(self) -> dict:
        self("apply", "-auto-approve", "-var-file=test.tfvars.json")
        raw = json.loads(self("output", "-json"))
        return {name: item["value"] for name, item in raw.items()}

    def destroy(self) -> None:
        if not self.destroyed:
            # The state was written by the apply just before: no refresh needed.
            self("destroy", "-auto-approve", "-refresh=false", "-var-file=test.tfvars.json")
            self.destroyed = True
