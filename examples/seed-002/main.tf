locals {
  # Names must be unique per workspace (several workspaces may share one moto) and
  # short (a target group name has at most 32 characters).
  workspace_slug = lower(replace(terraform.workspace, "/[^a-zA-Z0-9-]/", "-"))
  name_prefix = substr(
    local.workspace_slug == var.environment ? var.environment : "${var.environment}-${local.workspace_slug}",
    0, 24
  )
  blue_name  = "${local.name_prefix}-blue"
  green_name = "${local.name_prefix}-green"

  # The listener forwards to every colour with a weight above 0. At 100 % green it
  # no longer names blue at all (the seed's final
  # `--default-actions Type=forward,TargetGroupArn=<green>`), so blue can go.
  blue_weight       = 100 - var.green_weight
  blue_in_listener  = var.blue_enabled && local.blue_weight > 0
  green_in_listener = var.green_weight > 0
}

# ---------------------------------------------------------------------------
# Network: a VPC and two public subnets (an ALB needs two availability zones).
# ---------------------------------------------------------------------------

resource "aws_vpc" "main" {
  cidr_block = var.vpc_cidr
  tags       = { Name = "${local.name_prefix}-vpc" }
}

resource "aws_subnet" "public" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, count.index)
  availability_zone = "${var.aws_region}${["a", "b"][count.index]}"
  tags              = { Name = "${local.name_prefix}-public-${count.index}" }
}

# ---------------------------------------------------------------------------
# The two environments. Blue is the current production; green the new release.
# `blue_enabled = false` (the retire-blue stage) drops blue from the configuration
# once `destroy -target=module.blue_environment` has removed it from the state.
# ---------------------------------------------------------------------------

module "blue_environment" {
  source = "./modules/environment"
  count  = var.blue_enabled ? 1 : 0

  name    = local.name_prefix
  color   = "blue"
  release = var.blue_release
  vpc_id  = aws_vpc.main.id
}

module "green_environment" {
  source = "./modules/environment"

  name    = local.name_prefix
  color   = "green"
  release = var.green_release
  vpc_id  = aws_vpc.main.id
}

# ---------------------------------------------------------------------------
# The canary: one ALB whose listener splits traffic by weight.
#
# The listener finds the target groups by name (data sources), not through the
# modules' outputs. A reference to module.blue_environment would record blue as a
# dependency of the listener in the state, and `terraform destroy
# -target=module.blue_environment` destroys everything that depends on its targets:
# the listener would go with blue. Reading by name keeps the two colours and the
# router independent, so each can be created and retired on its own.
# ---------------------------------------------------------------------------

data "aws_lb_target_group" "blue" {
  count = local.blue_in_listener ? 1 : 0
  name  = local.blue_name
}

data "aws_lb_target_group" "green" {
  count = local.green_in_listener ? 1 : 0
  name  = local.green_name
}

locals {
  forward_to = concat(
    [for tg in data.aws_lb_target_group.blue : { arn = tg.arn, weight = local.blue_weight }],
    [for tg in data.aws_lb_target_group.green : { arn = tg.arn, weight = var.green_weight }],
  )
}

resource "aws_lb" "main" {
  name               = "${local.name_prefix}-alb"
  load_balancer_type = "application"
  internal           = true
  subnets            = aws_subnet.public[*].id
}

resource "aws_lb_listener" "main" {
  load_balancer_arn = aws_lb.main.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "forward"

    forward {
      dynamic "target_group" {
        for_each = local.forward_to
        content {
          arn    = target_group.value.arn
          weight = target_group.value.weight
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.blue_enabled || var.green_weight == 100
      error_message = "blue_enabled = false needs green_weight = 100: blue cannot take traffic once it is retired."
    }
  }
}
