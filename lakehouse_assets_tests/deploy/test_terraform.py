"""deploy/terraform: init and validate from the provider mirror, apply against moto's server
(one HTTP endpoint for S3, KMS, Glue, Secrets Manager, IAM, STS and EMR Serverless),
check every resource with boto3, then destroy and check that everything is gone.

terraform runs on a copy of the module pointed at moto (`Terraform` in deploy/terraform.py,
which says how); the checks that need no terraform are in test_terraform_module.

Where the module meets moto's limits:
- moto 5.2 reports a new EMR Serverless application as STARTED, where AWS reports
  CREATED (the provider waits for CREATED); the moto server runs in this process, so
  the test sets moto's initial application state to CREATED.
- The provider waits about 55 s after writing a lifecycle configuration, and about 30 s
  after creating or deleting the EMR Serverless application: most of the test's time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError

from lakehouse_assets.resources.secrets import SECRET_ENV_VARS, resolve_secret
from lakehouse_assets.settings import PROJECT_ROOT, load_settings
from lakehouse_assets_tests.deploy.terraform import (
    LAKEHOUSE_BUCKET,
    LANDING_BUCKET,
    MODULE,
    PREFIX,
    RESTRICTED_LAYERS,
    SECRET_NAMES,
    Terraform,
    needs_terraform,
)
from lakehouse_assets_tests.s3 import MotoS3

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def aws(tmp_path_factory):
    """A moto server in this process, the module copied next to it, inited and validated."""
    import moto.emrserverless.models as emr_models

    with pytest.MonkeyPatch.context() as patch, MotoS3() as moto:
        # moto keeps one store per process, shared by every server in it: start from an
        # empty account, as a real one would be (the catalog tests create retail_lakehouse).
        urllib.request.urlopen(urllib.request.Request(f"{moto.endpoint}/moto-api/reset", method="POST")).close()
        if getattr(emr_models, "APPLICATION_STATUS", None) == "STARTED":
            patch.setattr(emr_models, "APPLICATION_STATUS", "CREATED")  # what AWS reports (see above)
        terraform = Terraform(tmp_path_factory.mktemp("tf") / "module", moto.endpoint)
        terraform("init", "-input=false")
        try:
            yield terraform, moto
        finally:
            if (terraform.workdir / "terraform.tfstate").exists():
                terraform.destroy()


@pytest.fixture(scope="module")
def outputs(aws):
    terraform, _ = aws
    return terraform.apply()


def client(service: str, moto: MotoS3):
    return boto3.client(service, endpoint_url=moto.endpoint, region_name="us-east-1")


def statements(policy: dict | str) -> list[dict]:
    document = json.loads(policy) if isinstance(policy, str) else policy
    found = document["Statement"]
    return found if isinstance(found, list) else [found]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]



@needs_terraform
def test_validate_and_format(aws):
    terraform, _ = aws
    assert "The configuration is valid" in terraform("validate")
    done = subprocess.run(["terraform", "fmt", "-check", "-recursive", str(MODULE)],
                          capture_output=True, text=True, env=terraform.env)
    assert done.returncode == 0, f"not in terraform fmt's format: {done.stdout}"


@needs_terraform
def test_buckets_are_encrypted_versioned_private_with_lifecycle(aws, outputs):
    _, moto = aws
    s3 = client("s3", moto)
    key_arn = outputs["kms_key_arn"]
    assert outputs["landing_root"] == f"s3://{LANDING_BUCKET}/landing"
    assert outputs["lakehouse_root"] == f"s3://{LAKEHOUSE_BUCKET}/lakehouse"
    for bucket in (LANDING_BUCKET, LAKEHOUSE_BUCKET):
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}
        assert rule["BucketKeyEnabled"] is True
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert block == dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True)
        ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
        assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
        policy = {s["Sid"]: s for s in statements(s3.get_bucket_policy(Bucket=bucket)["Policy"])}
        assert policy["DenyPlainHttp"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert policy["DenyOtherKmsKey"]["Condition"] == {
            "StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn}}

    bronze_days = load_settings("s3").orchestration.maintenance.retention_days["bronze"]
    (landing,) = s3.get_bucket_lifecycle_configuration(Bucket=LANDING_BUCKET)["Rules"]
    assert landing["Filter"] == {"Prefix": "landing/"}
    assert landing["Expiration"] == {"Days": bronze_days}
    assert landing["NoncurrentVersionExpiration"]["NoncurrentDays"] == 7
    lake_rules = s3.get_bucket_lifecycle_configuration(Bucket=LAKEHOUSE_BUCKET)["Rules"]
    assert [r["Filter"] for r in lake_rules] == [{"Prefix": "lakehouse/"}]
    # Current Delta files are never expired by the bucket: only versions already deleted.
    assert all("Days" not in r.get("Expiration", {}) for r in lake_rules)
    assert lake_rules[0]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 7


@needs_terraform
def test_kms_key_glue_database_and_emr_application(aws, outputs):
    _, moto = aws
    kms = client("kms", moto)
    key_arn = outputs["kms_key_arn"]
    assert kms.describe_key(KeyId=key_arn)["KeyMetadata"]["KeyState"] == "Enabled"
    assert kms.get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"] is True
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    assert aliases[f"alias/{PREFIX}"] == key_arn.rsplit("/", 1)[1]

    database = client("glue", moto).get_database(Name="retail_lakehouse")["Database"]
    assert outputs["glue_database_name"] == "retail_lakehouse"
    assert database["LocationUri"] == outputs["lakehouse_root"] + "/"

    app = client("emr-serverless", moto).get_application(
        applicationId=outputs["emr_serverless_application_id"])["application"]
    assert app["name"] == f"{PREFIX}-spark"
    assert app["releaseLabel"] == "emr-7.5.0"
    assert app["type"].upper() == "SPARK"
    assert app["maximumCapacity"]["cpu"] == "16 vCPU"
    assert app["autoStopConfiguration"] == {"enabled": True, "idleTimeoutMinutes": 15}


@needs_terraform
def test_secrets_exist_without_values_and_the_environment_output_resolves_them(aws, outputs, monkeypatch):
    _, moto = aws
    sm = client("secretsmanager", moto)
    # moto keeps one store per process: other tests' secrets may be there too.
    secrets = {s["Name"]: s for s in sm.list_secrets()["SecretList"] if s["Name"].startswith(f"{PREFIX}/")}
    assert set(secrets) == SECRET_NAMES
    assert {s["KmsKeyId"] for s in secrets.values()} == {outputs["kms_key_arn"]}
    for name in secrets:
        with pytest.raises(ClientError) as no_value:
            sm.get_secret_value(SecretId=name)
        assert no_value.value.response["Error"]["Code"] == "ResourceNotFoundException", name

    environment = outputs["environment"]
    assert set(environment) == {"AWS_REGION", "LAKEHOUSE_PII_HMAC_KEY", "LAKEHOUSE_PII_SALT",
                                "LAKEHOUSE_MART_PASSWORD", "LAKEHOUSE_BI_PASSWORD"}
    assert set(environment) - {"AWS_REGION"} <= set(SECRET_ENV_VARS)  # names the code reads
    assert environment["LAKEHOUSE_PII_HMAC_KEY"] == "aws-secretsmanager:" + outputs["secret_arns"]["pii_hmac_key"]
    # The operator's step after apply, then the code's own lookup at run start.
    sm.put_secret_value(SecretId=outputs["secret_arns"]["pii_hmac_key"], SecretString="k" * 40)
    monkeypatch.setenv("AWS_REGION", environment["AWS_REGION"])
    assert resolve_secret(environment["LAKEHOUSE_PII_HMAC_KEY"], "LAKEHOUSE_PII_HMAC_KEY") == "k" * 40


@needs_terraform
def test_config_yaml_output_is_a_working_environment(outputs, tmp_path, monkeypatch):
    """The config_yaml output saved next to config/*.yaml is a config the project loads.

    (No object is written here: moto's bucket-policy check treats a condition it cannot
    evaluate, such as aws:SecureTransport, as a denial, so the TLS-only policy refuses
    every write on moto's HTTP endpoint. The SSE-KMS arguments of a write are tested in
    test_s3.py.)"""
    for source in (PROJECT_ROOT / "config").glob("*.yaml"):
        shutil.copy(source, tmp_path / source.name)
    (tmp_path / "aws.yaml").write_text(outputs["config_yaml"])
    monkeypatch.setenv("LAKEHOUSE_CONFIG_DIR", str(tmp_path))
    for name in ("LAKEHOUSE_LANDING_ROOT", "LAKEHOUSE_ROOT", "LAKEHOUSE_CATALOG"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings("aws")
    assert settings.landing_root == outputs["landing_root"]
    assert settings.lakehouse_root == outputs["lakehouse_root"]
    assert settings.s3_encryption.boto3_args() == {"ServerSideEncryption": "aws:kms",
                                                   "SSEKMSKeyId": outputs["kms_key_arn"]}
    assert (settings.catalog.kind, settings.catalog.database) == ("glue", outputs["glue_database_name"])
    assert settings.orchestration.autostart is True  # the rest comes from config/s3.yaml


@needs_terraform
def test_pipeline_role_reads_landing_writes_the_lakehouse_uses_key_and_secrets(aws, outputs):
    _, moto = aws
    iam = client("iam", moto)
    role = iam.get_role(RoleName=f"{PREFIX}-pipeline")["Role"]
    assert role["Arn"] == outputs["pipeline_role_arn"]
    trust = statements(role["AssumeRolePolicyDocument"])
    assert trust[0]["Principal"] == {"Service": "emr-serverless.amazonaws.com"}
    (name,) = iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]
    document = iam.get_role_policy(RoleName=role["RoleName"], PolicyName=name)["PolicyDocument"]
    policy = {s["Sid"]: s for s in statements(document)}

    landing, lake = f"arn:aws:s3:::{LANDING_BUCKET}", f"arn:aws:s3:::{LAKEHOUSE_BUCKET}"
    assert "ArchiveLanding" not in policy  # pipeline_archives_landing defaults to false
    assert as_list(policy["ReadLanding"]["Action"]) == ["s3:GetObject"]
    assert as_list(policy["ReadLanding"]["Resource"]) == [f"{landing}/landing/*"]
    assert "s3:PutObject" in policy["WriteLakehouse"]["Action"]
    assert as_list(policy["WriteLakehouse"]["Resource"]) == [f"{lake}/lakehouse/*"]
    writes = [s for s in policy.values() if any(a in ("s3:PutObject", "s3:DeleteObject") for a in as_list(s["Action"]))]
    assert all(r.startswith(f"{lake}/lakehouse/") for s in writes for r in as_list(s["Resource"]))
    assert as_list(policy["UseTheLakehouseKey"]["Resource"]) == [outputs["kms_key_arn"]]
    assert set(as_list(policy["ReadTheSecrets"]["Resource"])) == set(outputs["secret_arns"].values())
    app_arn = f"arn:aws:emr-serverless:us-east-1:123456789012:/applications/{outputs['emr_serverless_application_id']}"
    assert app_arn in as_list(policy["RunSparkJobs"]["Resource"])
    # What lakehouse_assets/catalog/glue.py calls; the database itself is this module's.
    assert set(as_list(policy["RegisterTables"]["Action"])) == {
        "glue:GetDatabase", "glue:GetTable", "glue:CreateTable", "glue:UpdateTable"}
    assert all("*" != r for s in policy.values() for r in as_list(s["Resource"])), "a statement on every resource"


@needs_terraform
def test_analyst_role_reads_gold_and_the_catalog_only(aws, outputs):
    _, moto = aws
    iam = client("iam", moto)
    role = iam.get_role(RoleName=f"{PREFIX}-analyst")["Role"]
    assert role["Arn"] == outputs["analyst_role_arn"]
    (name,) = iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]
    document = iam.get_role_policy(RoleName=role["RoleName"], PolicyName=name)["PolicyDocument"]
    text = json.dumps(document)
    for layer in RESTRICTED_LAYERS:
        assert f"/{layer}" not in text, f"the analyst policy names {layer}"
    assert LANDING_BUCKET not in text
    policy = statements(document)
    assert all(s["Effect"] == "Allow" for s in policy)
    actions = {a for s in policy for a in as_list(s["Action"])}
    assert {a.split(":")[0] for a in actions} == {"s3", "kms", "glue"}  # no secretsmanager, no emr, no iam
    assert actions & {"s3:PutObject", "s3:DeleteObject", "glue:CreateTable", "glue:UpdateTable",
                      "glue:DeleteTable", "kms:Encrypt", "kms:GenerateDataKey"} == set()
    by_sid = {s["Sid"]: s for s in policy}
    assert as_list(by_sid["ReadGold"]["Resource"]) == [f"arn:aws:s3:::{LAKEHOUSE_BUCKET}/lakehouse/gold/*"]
    assert by_sid["ListGold"]["Condition"] == {"StringLike": {"s3:prefix": ["lakehouse/gold", "lakehouse/gold/*"]}}
    via_s3 = {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
    assert by_sid["DecryptGoldObjects"]["Condition"] == via_s3
    objects = [r for s in policy for r in as_list(s["Resource"]) if r.startswith("arn:aws:s3:::") and "/" in r]
    assert objects == [f"arn:aws:s3:::{LAKEHOUSE_BUCKET}/lakehouse/gold/*"]


@needs_terraform
def test_destroy_removes_everything(aws, outputs):
    terraform, moto = aws
    terraform.destroy()
    s3 = client("s3", moto)
    for bucket in (LANDING_BUCKET, LAKEHOUSE_BUCKET):
        with pytest.raises(ClientError):
            s3.head_bucket(Bucket=bucket)
    with pytest.raises(ClientError):
        client("glue", moto).get_database(Name="retail_lakehouse")
    iam = client("iam", moto)
    for role in ("pipeline", "analyst"):
        with pytest.raises(ClientError):
            iam.get_role(RoleName=f"{PREFIX}-{role}")
    assert [s for s in client("secretsmanager", moto).list_secrets()["SecretList"]
            if s["Name"].startswith(f"{PREFIX}/")] == []
    key = client("kms", moto).describe_key(KeyId=outputs["kms_key_arn"])["KeyMetadata"]
    assert key["KeyState"] == "PendingDeletion"  # KMS never deletes a key at once
    app = client("emr-serverless", moto).get_application(
        applicationId=outputs["emr_serverless_application_id"])["application"]
    assert app["state"] == "TERMINATED"
