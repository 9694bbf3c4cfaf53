# ---------------------------------------------------------------------------
# Where and what to call things
# ---------------------------------------------------------------------------

variable "region" {
  description = "AWS region of every resource. Set AWS_REGION to the same value for the pipeline."
  type        = string
  default     = "us-east-1"
}

variable "name_prefix" {
  description = "Prefix of the names of the KMS alias, secrets, IAM roles and the EMR Serverless application."
  type        = string
  default     = "retail-lakehouse"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix: 3 to 40 lowercase letters, digits and hyphens, not starting or ending with a hyphen."
  }
}

variable "tags" {
  description = "Tags on every resource (the provider's default_tags)."
  type        = map(string)
  default = {
    project = "retail-lakehouse"
  }
}

# ---------------------------------------------------------------------------
# Buckets (config/s3.yaml: landing_root, lakehouse_root)
# ---------------------------------------------------------------------------

variable "landing_bucket_name" {
  description = "Name of the landing bucket, where sources deliver files (globally unique)."
  type        = string
}

variable "lakehouse_bucket_name" {
  description = "Name of the lakehouse bucket, which holds every Delta table (globally unique)."
  type        = string
}

variable "landing_prefix" {
  description = "Key prefix of the landing zone in the landing bucket: landing_root is s3://<landing bucket>/<landing_prefix>."
  type        = string
  default     = "landing"

  validation {
    condition     = can(regex("^[A-Za-z0-9._=-]+(/[A-Za-z0-9._=-]+)*$", var.landing_prefix))
    error_message = "landing_prefix: a key prefix without leading or trailing slash."
  }
}

variable "lakehouse_prefix" {
  description = "Key prefix of the lakehouse in the lakehouse bucket: lakehouse_root is s3://<lakehouse bucket>/<lakehouse_prefix>; the layers are folders under it (bronze/, quarantine/, silver/, gold/, audit/)."
  type        = string
  default     = "lakehouse"

  validation {
    condition     = can(regex("^[A-Za-z0-9._=-]+(/[A-Za-z0-9._=-]+)*$", var.lakehouse_prefix))
    error_message = "lakehouse_prefix: a key prefix without leading or trailing slash."
  }
}

variable "landing_retention_days" {
  description = <<-EOT
    Days a landing file (and its copy under _archive) is kept: the bronze entry of
    orchestration.maintenance.retention_days in the deployed config (90 in
    config/local.yaml, which config/s3.yaml extends). Bronze is the lossless copy of
    what landed, so a file has no use once its bronze rows are past retention.
    The other layers' retention is applied to the tables by the weekly maintenance job,
    not by the bucket (docs/deploying-on-aws.md, "Lifecycle rules").
  EOT
  type        = number
  default     = 90

  validation {
    condition     = var.landing_retention_days >= 1 && floor(var.landing_retention_days) == var.landing_retention_days
    error_message = "landing_retention_days: a whole number of days, at least 1."
  }
}

variable "noncurrent_version_days" {
  description = "Days a deleted or overwritten object stays recoverable as a noncurrent version (both buckets are versioned). Short, because the files the maintenance job deletes are rows past their retention."
  type        = number
  default     = 7

  validation {
    condition     = var.noncurrent_version_days >= 1 && floor(var.noncurrent_version_days) == var.noncurrent_version_days
    error_message = "noncurrent_version_days: a whole number of days, at least 1."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the buckets with every object in them. Keep false for a real deployment."
  type        = bool
  default     = false
}

variable "kms_deletion_window_days" {
  description = "Waiting period (7 to 30 days) before a destroyed KMS key is deleted; until then it can be restored."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days: between 7 and 30."
  }
}

# ---------------------------------------------------------------------------
# Catalog and secrets
# ---------------------------------------------------------------------------

variable "glue_database_name" {
  description = "Glue Data Catalog database the catalog step registers every Delta table in (SPEC section 6)."
  type        = string
  default     = "retail_lakehouse"
}

variable "secret_recovery_window_days" {
  description = "Days a destroyed secret can still be restored (0 deletes it at once; otherwise 7 to 30)."
  type        = number
  default     = 30

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days: 0, or between 7 and 30."
  }
}

# ---------------------------------------------------------------------------
# Who may assume the roles
# ---------------------------------------------------------------------------

variable "pipeline_trusted_services" {
  description = "AWS services that may assume the pipeline role: EMR Serverless runs the Spark jobs; add ec2.amazonaws.com or ecs-tasks.amazonaws.com for the host of Dagster's code location."
  type        = list(string)
  default     = ["emr-serverless.amazonaws.com"]
}

variable "pipeline_trusted_role_arns" {
  description = "IAM role ARNs that may assume the pipeline role (for example the role of the machine running the Dagster daemon)."
  type        = list(string)
  default     = []
}

variable "pipeline_archives_landing" {
  description = "Let the pipeline role move landing files to <landing_root>/_archive (orchestration.archive_landing: true needs it). Off: the role only reads the landing bucket."
  type        = bool
  default     = false
}

variable "analyst_trusted_principal_arns" {
  description = "IAM principals that may assume the analyst role. Empty: any principal of this account whose own policy allows sts:AssumeRole on it."
  type        = list(string)
  default     = []
}

# ---------------------------------------------------------------------------
# EMR Serverless (the Spark jobs)
# ---------------------------------------------------------------------------

variable "create_emr_serverless_application" {
  description = "Create the EMR Serverless application (and the pipeline role's right to run jobs on it). false when the Spark jobs run elsewhere, for example on a standalone cluster or EMR on EC2."
  type        = bool
  default     = true
}

variable "emr_release_label" {
  description = "EMR release of the application. emr-7.x ships Spark 3.5, the line of the project's pyspark 3.5.3; Delta and the other jars go with the job (--packages or --jars)."
  type        = string
  default     = "emr-7.5.0"

  validation {
    condition     = can(regex("^emr-[0-9]+\\.[0-9]+\\.[0-9]+$", var.emr_release_label))
    error_message = "emr_release_label: like emr-7.5.0."
  }
}

variable "emr_architecture" {
  description = "CPU architecture of the application's workers: X86_64 or ARM64."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.emr_architecture)
    error_message = "emr_architecture: X86_64 or ARM64."
  }
}

variable "emr_maximum_capacity" {
  description = "Upper bound of everything the application's workers may use at once, e.g. { cpu = \"16 vCPU\", memory = \"64 GB\", disk = \"200 GB\" }."
  type = object({
    cpu    = string
    memory = string
    disk   = optional(string, "200 GB")
  })
  default = {
    cpu    = "16 vCPU"
    memory = "64 GB"
    disk   = "200 GB"
  }
}

variable "emr_driver_capacity" {
  description = "Pre-initialized driver workers (count 0: none kept warm) and the size of each."
  type = object({
    count  = number
    cpu    = string
    memory = string
    disk   = optional(string, "20 GB")
  })
  default = {
    count  = 0
    cpu    = "2 vCPU"
    memory = "8 GB"
    disk   = "20 GB"
  }
}

variable "emr_executor_capacity" {
  description = "Pre-initialized executor workers (count 0: none kept warm) and the size of each."
  type = object({
    count  = number
    cpu    = string
    memory = string
    disk   = optional(string, "20 GB")
  })
  default = {
    count  = 0
    cpu    = "4 vCPU"
    memory = "16 GB"
    disk   = "20 GB"
  }
}

variable "emr_idle_timeout_minutes" {
  description = "Minutes without jobs after which the application stops (and stops costing)."
  type        = number
  default     = 15
}

variable "emr_subnet_ids" {
  description = "Private subnets for the application's workers. Empty: no VPC configuration (the workers reach S3, Glue and Secrets Manager over AWS's network, nothing in your VPC)."
  type        = list(string)
  default     = []
}

variable "emr_security_group_ids" {
  description = "Security groups of the workers when emr_subnet_ids is set."
  type        = list(string)
  default     = []
}
