# One customer-managed key encrypts both buckets (default SSE-KMS, with S3 bucket keys
# to keep KMS requests few) and the secrets. The key policy delegates to IAM: a
# principal uses the key only when its IAM policy allows it (iam.tf).
resource "aws_kms_key" "lakehouse" {
  description             = "${var.name_prefix}: S3 objects and secrets of the retail lakehouse"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountAdministersThroughIam"
      Effect    = "Allow"
      Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

resource "aws_kms_alias" "lakehouse" {
  name          = "alias/${var.name_prefix}"
  target_key_id = aws_kms_key.lakehouse.key_id
}
