# The two buckets of config/s3.yaml: landing_root and lakehouse_root live under a key
# prefix of each. Both get the same protection: SSE-KMS with the lakehouse key by
# default, versioning, every public access path blocked, ACLs off, and a policy that
# refuses plain HTTP and objects encrypted any other way.

locals {
  buckets = {
    landing   = var.landing_bucket_name
    lakehouse = var.lakehouse_bucket_name
  }
}

resource "aws_s3_bucket" "this" {
  for_each = local.buckets

  bucket        = each.value
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = aws_s3_bucket.this

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.lakehouse.arn
    }
    bucket_key_enabled = true
  }
}

# The project asks for SSE on every write (s3_encryption in config/<env>.yaml); with
# mode sse-kms and kms_key_id = the kms_key_arn output, its writes pass these checks.
data "aws_iam_policy_document" "bucket" {
  for_each = aws_s3_bucket.this

  statement {
    sid     = "DenyPlainHttp"
    effect  = "Deny"
    actions = ["s3:*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    resources = [each.value.arn, "${each.value.arn}/*"]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid     = "DenyOtherEncryption"
    effect  = "Deny"
    actions = ["s3:PutObject"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    resources = ["${each.value.arn}/*"]
    condition {
      test     = "StringNotEqualsIfExists"
      variable = "s3:x-amz-server-side-encryption"
      values   = ["aws:kms"]
    }
  }

  statement {
    sid     = "DenyOtherKmsKey"
    effect  = "Deny"
    actions = ["s3:PutObject"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    resources = ["${each.value.arn}/*"]
    condition {
      test     = "StringNotEqualsIfExists"
      variable = "s3:x-amz-server-side-encryption-aws-kms-key-id"
      values   = [aws_kms_key.lakehouse.arn]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  policy = data.aws_iam_policy_document.bucket[each.key].json

  # S3 refuses a policy while the public access block is still being applied.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

# Lifecycle (docs/deploying-on-aws.md, "Lifecycle rules"). Row retention per layer is the
# maintenance job's: a Delta DELETE of rows past retention_days, then VACUUM. The bucket
# never expires current objects under the lakehouse prefix: that would delete Delta
# log entries and data files that tables still reference (dimensions and audit tables
# are kept whole). What the bucket does:
#   - landing files (live and _archive) expire with bronze's retention;
#   - the versions VACUUM, log cleanup and overwrites leave behind (noncurrent
#     versions) go noncurrent_version_days later, so deleted rows really leave S3;
#   - unfinished multipart uploads (a killed writer) are aborted.
resource "aws_s3_bucket_lifecycle_configuration" "landing" {
  bucket = aws_s3_bucket.this["landing"].id

  rule {
    id     = "landing-files-follow-bronze-retention"
    status = "Enabled"
    filter {
      prefix = "${var.landing_prefix}/"
    }
    expiration {
      days = var.landing_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 2
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "lakehouse" {
  bucket = aws_s3_bucket.this["lakehouse"].id

  rule {
    id     = "purge-files-the-maintenance-job-deleted"
    status = "Enabled"
    filter {
      prefix = "${var.lakehouse_prefix}/"
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
    expiration {
      expired_object_delete_marker = true
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 2
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}
