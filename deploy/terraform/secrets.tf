# Secrets Manager secrets for what the project reads from the environment or by an
# `aws-secretsmanager:<name or ARN>` reference (lakehouse_assets/resources/secrets.py).
# Only the secrets are created here, never their values: nothing secret enters this
# repository or the Terraform state. Put each value once after `apply`
# (docs/deploying-on-aws.md); a run whose secret has no value yet fails at start,
# naming the variable.
locals {
  secrets = {
    pii_hmac_key = {
      name        = "${var.name_prefix}/pii-hmac-key"
      description = "LAKEHOUSE_PII_HMAC_KEY: HMAC key of the PII masking, at least 32 characters (docs/security.md)."
    }
    pii_salt = {
      name        = "${var.name_prefix}/pii-salt"
      description = "LAKEHOUSE_PII_SALT: salt of the sha256 masking strategy, at least 16 characters (docs/security.md)."
    }
    mart_password = {
      name        = "${var.name_prefix}/mart-password"
      description = "LAKEHOUSE_MART_PASSWORD: password of the user the serving export writes the marts with (docs/serving.md)."
    }
    bi_password = {
      name        = "${var.name_prefix}/bi-password"
      description = "LAKEHOUSE_BI_PASSWORD: password of lakehouse_bi, the read-only database user of the BI views, set by the V3 migration (docs/serving.md)."
    }
  }
}

resource "aws_secretsmanager_secret" "this" {
  for_each = local.secrets

  name                    = each.value.name
  description             = each.value.description
  kms_key_id              = aws_kms_key.lakehouse.arn
  recovery_window_in_days = var.secret_recovery_window_days
}
