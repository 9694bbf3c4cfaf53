terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # State: keep it remote and locked for a real deployment, for example
  #
  #   backend "s3" {
  #     bucket       = "<your-terraform-state-bucket>"
  #     key          = "retail-lakehouse/terraform.tfstate"
  #     region       = "<region>"
  #     encrypt      = true
  #     use_lockfile = true
  #   }
  #
  # or pass the same settings with `terraform init -backend-config=...` after adding
  # an empty `backend "s3" {}` here (docs/deploying-on-aws.md).
}
