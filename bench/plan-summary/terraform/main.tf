# Root module of the benchmark plan (bench/plan-summary). generate.sh copies this
# directory into the cache, applies it with phase = 1 (a small estate, plus
# phase1.tf), then plans it with phase = 2 (the large estate, plus phase2.tf).
# Only the built-in terraform_data resource and terraform_remote_state data
# source are used: no provider is downloaded.

variable "phase" {
  type = number
}

variable "regions" {
  type    = list(string)
  default = ["eu-west-1", "us-east-1", "ap-south-1"]
}

variable "clusters_per_region" {
  type    = number
  default = 5
}

variable "nodes_per_cluster" {
  type    = number
  default = 140
}

# Number of ~1 KiB policy documents in the input of each node.
variable "policies_per_node" {
  type    = number
  default = 42
}

module "region" {
  source   = "./modules/region"
  for_each = toset(var.regions)

  phase             = var.phase
  region            = each.key
  clusters          = var.clusters_per_region
  nodes             = var.nodes_per_cluster
  policies_per_node = var.policies_per_node
}

# Applied in phase 1. In phase 2: [0..9] no-op, [10..19] update,
# [20..24] replace (delete then create), [25..29] delete.
resource "terraform_data" "stable" {
  count = var.phase == 1 ? 30 : 25

  input = {
    name    = "stable-${count.index}"
    version = var.phase == 2 && count.index >= 10 && count.index < 20 ? "v2" : "v1"
  }
  triggers_replace = var.phase == 2 && count.index >= 20 ? "r2" : "r1"
}

# Applied in phase 1; phase 2 replaces two of them create-before-destroy.
resource "terraform_data" "rolling" {
  count = 4

  input            = "rolling-${count.index}"
  triggers_replace = var.phase == 2 && count.index < 2 ? "r2" : "r1"

  lifecycle {
    create_before_destroy = true
  }
}

# Imported in phase 2 (see phase2.tf): no-op actions with change.importing set.
resource "terraform_data" "imported" {
  for_each = var.phase == 2 ? toset(["alpha", "beta", "gamma"]) : toset([])
}

# A data source whose configuration is unknown until apply: action "read".
resource "terraform_data" "state_path" {
  count = var.phase == 2 ? 1 : 0
  input = "previous"
}

data "terraform_remote_state" "previous" {
  count   = var.phase == 2 ? 1 : 0
  backend = "local"
  config = {
    path = "${terraform_data.state_path[0].output}/terraform.tfstate"
  }
  defaults = {
    vpc_id = "none"
  }
}
