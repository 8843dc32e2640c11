variable "phase" { type = number }
variable "region" { type = string }
variable "clusters" { type = number }
variable "nodes" { type = number }
variable "policies_per_node" { type = number }

# Applied in phase 1 and unchanged in phase 2 (no-op).
resource "terraform_data" "network" {
  for_each = toset(["a", "b", "c"])
  input = {
    region = var.region
    zone   = "${var.region}${each.key}"
    cidr   = "10.${index(["a", "b", "c"], each.key)}.0.0/16"
  }
}

module "cluster" {
  source = "../cluster"
  count  = var.clusters

  phase             = var.phase
  region            = var.region
  cluster           = "c${count.index}"
  nodes             = var.nodes
  policies_per_node = var.policies_per_node
  network_ids       = [for n in terraform_data.network : n.id]
}
