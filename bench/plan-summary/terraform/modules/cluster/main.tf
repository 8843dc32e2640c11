variable "phase" { type = number }
variable "region" { type = string }
variable "cluster" { type = string }
variable "nodes" { type = number }
variable "policies_per_node" { type = number }
variable "network_ids" { type = list(string) }

locals {
  # A ~1 KiB IAM-style policy document: embedded JSON, so the plan JSON is full
  # of escaped quotes, and of \u003c / \u0026 escapes for < and &.
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [for i in range(5) : {
      Sid      = "Statement${i}"
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
      Resource = "arn:aws:s3:::${var.region}-${var.cluster}-bucket-${i}/*"
      Condition = {
        StringEquals = { "aws:PrincipalTag/team" = "<platform & data>" }
      }
    }]
  })
  policies = { for i in range(var.policies_per_node) : format("policy_%03d", i) => local.policy }
}

# The bulk of the plan: created in phase 2, each input ~policies_per_node KiB.
resource "terraform_data" "node" {
  for_each = var.phase == 2 ? { for i in range(var.nodes) : format("node-%03d", i) => i } : {}

  input = {
    name     = each.key
    region   = var.region
    cluster  = var.cluster
    networks = var.network_ids
    policies = local.policies
  }
}

# Applied in phase 1. In phase 2: meta[0] no-op, meta[1] update,
# meta[2] replace, meta[3] delete.
resource "terraform_data" "meta" {
  count = var.phase == 1 ? 4 : 3

  input = {
    cluster = "${var.region}/${var.cluster}"
    version = var.phase == 2 && count.index == 1 ? "v2" : "v1"
  }
  triggers_replace = var.phase == 2 && count.index == 2 ? "r2" : "r1"
}
