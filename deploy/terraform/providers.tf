# Credentials come from the standard AWS environment (AWS_PROFILE, AWS_ACCESS_KEY_ID /
# AWS_SECRET_ACCESS_KEY, SSO, or an instance role); never from this module.
provider "aws" {
  region = var.region

  default_tags {
    tags = var.tags
  }
}
