# The real hashicorp/aws provider, pointed at an AWS API emulator (moto) through
# var.aws_endpoint. Nothing here talks to real AWS: credentials are dummies and
# every service this configuration uses has its endpoint overridden.
provider "aws" {
  region     = var.aws_region
  access_key = "testing"
  secret_key = "testing"

  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true

  endpoints {
    ec2   = var.aws_endpoint
    elbv2 = var.aws_endpoint
    iam   = var.aws_endpoint
    sts   = var.aws_endpoint
  }

  default_tags {
    tags = {
      Project     = "campaign-platform"
      Environment = var.environment
      Workspace   = terraform.workspace
      ManagedBy   = "terraform"
    }
  }
}
