# The AWS deployment of the retail lakehouse: what config/s3.yaml, the catalog step,
# the serving export and the Spark jobs expect to find (docs/deploying-on-aws.md).
#
#   kms.tf      one customer-managed key: bucket encryption (SSE-KMS) and the secrets
#   s3.tf       landing and lakehouse buckets: encryption, versioning, no public access,
#               TLS only, lifecycle rules
#   glue.tf     the Glue database retail_lakehouse
#   secrets.tf  Secrets Manager secrets (masking keys, database passwords), no values
#   iam.tf      the pipeline role and the read-only analyst role
#   emr.tf      the EMR Serverless application for the Spark jobs

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  landing_root   = "s3://${aws_s3_bucket.this["landing"].bucket}/${var.landing_prefix}"
  lakehouse_root = "s3://${aws_s3_bucket.this["lakehouse"].bucket}/${var.lakehouse_prefix}"
}
