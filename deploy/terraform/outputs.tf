# What the project needs from this deployment, and nothing else. Where each value
# goes: docs/deploying-on-aws.md, "From outputs to configuration".

output "landing_root" {
  description = "landing_root of the config (or LAKEHOUSE_LANDING_ROOT): s3://<landing bucket>/<landing_prefix>."
  value       = local.landing_root
}

output "lakehouse_root" {
  description = "lakehouse_root of the config (or LAKEHOUSE_ROOT): s3://<lakehouse bucket>/<lakehouse_prefix>."
  value       = local.lakehouse_root
}

output "kms_key_arn" {
  description = "s3_encryption.kms_key_id of the config, with s3_encryption.mode sse-kms. The buckets accept no other key."
  value       = aws_kms_key.lakehouse.arn
}

output "region" {
  description = "AWS_REGION of the pipeline's environment."
  value       = var.region
}

output "glue_database_name" {
  description = "catalog.database of the config: the Glue database the catalog step registers the tables in."
  value       = aws_glue_catalog_database.lakehouse.name
}

output "config_yaml" {
  description = "A config file for LAKEHOUSE_ENV: save it as config/<env>.yaml. It extends config/s3.yaml and sets the roots, SSE-KMS with the lakehouse key, and the Glue catalog."
  value = yamlencode({
    extends        = "s3"
    landing_root   = local.landing_root
    lakehouse_root = local.lakehouse_root
    s3_encryption = {
      mode       = "sse-kms"
      kms_key_id = aws_kms_key.lakehouse.arn
    }
    catalog = {
      kind     = "glue"
      database = aws_glue_catalog_database.lakehouse.name
    }
  })
}

output "environment" {
  description = "Environment variables of the pipeline: the region, and each secret as an aws-secretsmanager:<ARN> reference the project resolves at run start (no secret value)."
  value = {
    AWS_REGION              = var.region
    LAKEHOUSE_PII_HMAC_KEY  = "aws-secretsmanager:${aws_secretsmanager_secret.this["pii_hmac_key"].arn}"
    LAKEHOUSE_PII_SALT      = "aws-secretsmanager:${aws_secretsmanager_secret.this["pii_salt"].arn}"
    LAKEHOUSE_MART_PASSWORD = "aws-secretsmanager:${aws_secretsmanager_secret.this["mart_password"].arn}"
    LAKEHOUSE_BI_PASSWORD   = "aws-secretsmanager:${aws_secretsmanager_secret.this["bi_password"].arn}"
  }
}

output "secret_arns" {
  description = "ARN of every secret, by purpose (pii_hmac_key, pii_salt, mart_password, bi_password): put the values here after apply."
  value       = { for purpose, secret in aws_secretsmanager_secret.this : purpose => secret.arn }
}

output "pipeline_role_arn" {
  description = "Role of the pipeline: the execution role of its EMR Serverless jobs, and the role its Dagster host assumes."
  value       = aws_iam_role.pipeline.arn
}

output "analyst_role_arn" {
  description = "Read-only role for analysts: gold and the Glue catalog."
  value       = aws_iam_role.analyst.arn
}

output "emr_serverless_application_id" {
  description = "EMR Serverless application the Spark jobs are submitted to (null when create_emr_serverless_application is false)."
  value       = one(aws_emrserverless_application.spark[*].id)
}
