# Two roles, each with one inline policy that names every resource it may touch.
#
#   pipeline  the Spark jobs (EMR Serverless execution role) and the Dagster code
#             location: read landing, write the lakehouse, use the key and the
#             secrets, register tables in the Glue database (docs/catalog.md),
#             submit its EMR jobs.
#   analyst   read-only: objects under <lakehouse_prefix>/gold/ and the Glue
#             database's metadata; never the data of bronze or quarantine, which
#             keep unmasked PII (docs/security.md).

locals {
  landing_bucket_arn   = aws_s3_bucket.this["landing"].arn
  lakehouse_bucket_arn = aws_s3_bucket.this["lakehouse"].arn

  glue_catalog_arn  = "arn:${local.partition}:glue:${var.region}:${local.account_id}:catalog"
  glue_database_arn = "arn:${local.partition}:glue:${var.region}:${local.account_id}:database/${aws_glue_catalog_database.lakehouse.name}"
  glue_tables_arn   = "arn:${local.partition}:glue:${var.region}:${local.account_id}:table/${aws_glue_catalog_database.lakehouse.name}/*"

  gold_prefix = "${var.lakehouse_prefix}/gold"
}

# ---------------------------------------------------------------------------
# Pipeline
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "pipeline_trust" {
  dynamic "statement" {
    for_each = length(var.pipeline_trusted_services) > 0 ? [1] : []
    content {
      sid     = "TrustedServices"
      actions = ["sts:AssumeRole"]
      principals {
        type        = "Service"
        identifiers = var.pipeline_trusted_services
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.pipeline_trusted_role_arns) > 0 ? [1] : []
    content {
      sid     = "TrustedRoles"
      actions = ["sts:AssumeRole"]
      principals {
        type        = "AWS"
        identifiers = var.pipeline_trusted_role_arns
      }
    }
  }
}

resource "aws_iam_role" "pipeline" {
  name                 = "${var.name_prefix}-pipeline"
  description          = "Retail lakehouse pipeline: reads landing, writes the lakehouse, uses the lakehouse key and secrets."
  assume_role_policy   = data.aws_iam_policy_document.pipeline_trust.json
  max_session_duration = 43200

  lifecycle {
    precondition {
      condition     = length(var.pipeline_trusted_services) + length(var.pipeline_trusted_role_arns) > 0
      error_message = "Nobody could assume the pipeline role: set pipeline_trusted_services or pipeline_trusted_role_arns."
    }
  }
}

data "aws_iam_policy_document" "pipeline" {
  statement {
    sid       = "FindTheBuckets"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket"]
    resources = [local.landing_bucket_arn, local.lakehouse_bucket_arn]
  }

  statement {
    sid       = "ReadLanding"
    actions   = ["s3:GetObject"]
    resources = ["${local.landing_bucket_arn}/${var.landing_prefix}/*"]
  }

  dynamic "statement" {
    for_each = var.pipeline_archives_landing ? [1] : []
    content {
      sid       = "ArchiveLanding"
      actions   = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
      resources = ["${local.landing_bucket_arn}/${var.landing_prefix}/*"]
    }
  }

  statement {
    sid       = "WriteLakehouseUploads"
    actions   = ["s3:ListBucketMultipartUploads"]
    resources = [local.lakehouse_bucket_arn]
  }

  statement {
    sid = "WriteLakehouse"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${local.lakehouse_bucket_arn}/${var.lakehouse_prefix}/*"]
  }

  statement {
    sid = "UseTheLakehouseKey"
    actions = [
      "kms:Decrypt",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:DescribeKey",
    ]
    resources = [aws_kms_key.lakehouse.arn]
  }

  statement {
    sid       = "ReadTheSecrets"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [for secret in aws_secretsmanager_secret.this : secret.arn]
  }

  # What `lakehouse catalog` calls (lakehouse_assets/catalog/glue.py): the database exists
  # already, tables are created or updated, never dropped, and no Glue partitions are
  # registered (engines read them from the Delta log).
  statement {
    sid       = "RegisterTables"
    actions   = ["glue:GetDatabase", "glue:GetTable", "glue:CreateTable", "glue:UpdateTable"]
    resources = [local.glue_catalog_arn, local.glue_database_arn, local.glue_tables_arn]
  }

  dynamic "statement" {
    for_each = var.create_emr_serverless_application ? [1] : []
    content {
      sid = "RunSparkJobs"
      actions = [
        "emr-serverless:GetApplication",
        "emr-serverless:StartApplication",
        "emr-serverless:StartJobRun",
        "emr-serverless:GetJobRun",
        "emr-serverless:GetDashboardForJobRun",
        "emr-serverless:ListJobRuns",
        "emr-serverless:CancelJobRun",
      ]
      resources = [
        aws_emrserverless_application.spark[0].arn,
        "${aws_emrserverless_application.spark[0].arn}/jobruns/*",
      ]
    }
  }

  dynamic "statement" {
    for_each = var.create_emr_serverless_application ? [1] : []
    content {
      sid       = "HandItselfToEmrServerless"
      actions   = ["iam:PassRole"]
      resources = [aws_iam_role.pipeline.arn]
      condition {
        test     = "StringEquals"
        variable = "iam:PassedToService"
        values   = ["emr-serverless.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "pipeline" {
  name   = "lakehouse-pipeline"
  role   = aws_iam_role.pipeline.id
  policy = data.aws_iam_policy_document.pipeline.json
}

# ---------------------------------------------------------------------------
# Analyst (read-only)
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "analyst_trust" {
  statement {
    sid     = "TrustedPrincipals"
    actions = ["sts:AssumeRole"]
    principals {
      type = "AWS"
      identifiers = (length(var.analyst_trusted_principal_arns) > 0
        ? var.analyst_trusted_principal_arns
      : ["arn:${local.partition}:iam::${local.account_id}:root"])
    }
  }
}

resource "aws_iam_role" "analyst" {
  name               = "${var.name_prefix}-analyst"
  description        = "Retail lakehouse analysts: read the gold layer and the Glue catalog; nothing else."
  assume_role_policy = data.aws_iam_policy_document.analyst_trust.json
}

data "aws_iam_policy_document" "analyst" {
  statement {
    sid       = "FindTheLakehouseBucket"
    actions   = ["s3:GetBucketLocation"]
    resources = [local.lakehouse_bucket_arn]
  }

  statement {
    sid       = "ListGold"
    actions   = ["s3:ListBucket"]
    resources = [local.lakehouse_bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [local.gold_prefix, "${local.gold_prefix}/*"]
    }
  }

  statement {
    sid       = "ReadGold"
    actions   = ["s3:GetObject"]
    resources = ["${local.lakehouse_bucket_arn}/${local.gold_prefix}/*"]
  }

  # Decrypt only on behalf of S3 reads: the same key encrypts the secrets, which this
  # role must not read.
  statement {
    sid       = "DecryptGoldObjects"
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = [aws_kms_key.lakehouse.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.region}.amazonaws.com"]
    }
  }

  statement {
    sid = "ReadTheCatalog"
    actions = [
      "glue:GetDatabase",
      "glue:GetDatabases",
      "glue:GetTable",
      "glue:GetTables",
      "glue:GetTableVersion",
      "glue:GetTableVersions",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:BatchGetPartition",
      "glue:SearchTables",
    ]
    resources = [local.glue_catalog_arn, local.glue_database_arn, local.glue_tables_arn]
  }
}

resource "aws_iam_role_policy" "analyst" {
  name   = "lakehouse-analyst-read-gold"
  role   = aws_iam_role.analyst.id
  policy = data.aws_iam_policy_document.analyst.json
}
