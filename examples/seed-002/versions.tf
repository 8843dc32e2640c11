terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # No backend block on purpose: local state, one file per workspace under
  # terraform.tfstate.d/<workspace>/.
}
