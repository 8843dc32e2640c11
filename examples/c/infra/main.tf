# The C example's infrastructure: terraform_data only (Terraform's built-in provider), so it
# needs no cloud, no emulator and no provider download. The example plans and applies
# terraform_data.app alone (-target): terraform_data.worker must stay out of the state.
terraform {
  required_version = ">= 1.4.0"
}

variable "release" {
  type    = string
  default = "v1"
}

resource "terraform_data" "app" {
  input = {
    tier    = "app"
    release = var.release
  }
}

resource "terraform_data" "worker" {
  input = {
    tier    = "worker"
    release = var.release
  }
}

output "app_release" {
  value = terraform_data.app.output.release
}
