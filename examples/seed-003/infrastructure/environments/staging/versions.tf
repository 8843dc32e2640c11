terraform {
  required_version = ">= 1.5.0"

  # terraform_data is built in: no provider to install, no cloud to talk to.
  # No backend block: local state in this directory (terraform.tfstate), the
  # directory being the environment (seed 003/004's environments/production).
}
