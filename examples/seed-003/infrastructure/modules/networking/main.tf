# Seed 003's networking module (VPC, subnets across availability zones), as
# terraform_data stand-ins: the rollout is about ordering and checks, not about
# what a VPC costs to create. Each stand-in's `input` holds the real resource's
# configuration, so changing a setting plans an in-place update as it would.

variable "name" {
  type = string
}

variable "vpc_cidr" {
  type = string
}

variable "availability_zones" {
  type = list(string)
}

resource "terraform_data" "vpc" {
  input = {
    name       = "${var.name}-vpc"
    cidr_block = var.vpc_cidr
  }
}

resource "terraform_data" "private_subnet" {
  for_each = toset(var.availability_zones)

  input = {
    name              = "${var.name}-private-${each.key}"
    vpc               = terraform_data.vpc.input.name
    availability_zone = each.key
    cidr_block        = cidrsubnet(var.vpc_cidr, 8, index(var.availability_zones, each.key))
  }
}

output "vpc_name" {
  value = terraform_data.vpc.input.name
}

output "private_subnets" {
  value = [for az in var.availability_zones : terraform_data.private_subnet[az].input.name]
}
