# One colour of the blue/green pair (seed 002's module.blue_environment and
# module.green_environment): the target group the shared listener forwards to, and
# the application's security group. Cheap in moto (about a second each); the seed's
# Auto Scaling group and instances are left out: they add nothing to the rollout.

variable "name" {
  description = "Name prefix, e.g. prod."
  type        = string
}

variable "color" {
  description = "blue or green."
  type        = string
}

variable "release" {
  description = "The application release this colour runs (a tag, for people and checks)."
  type        = string
}

variable "vpc_id" {
  description = "The VPC of the target group and the security group."
  type        = string
}

resource "aws_security_group" "app" {
  name        = "${var.name}-${var.color}-app"
  description = "Application instances of the ${var.color} environment"
  vpc_id      = var.vpc_id

  ingress {
    description = "HTTP from the load balancer"
    from_port   = 8080
    to_port     = 8080
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }

  tags = {
    Name    = "${var.name}-${var.color}-app"
    Color   = var.color
    Release = var.release
  }
}

resource "aws_lb_target_group" "app" {
  name        = "${var.name}-${var.color}"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = var.vpc_id

  health_check {
    path    = "/health"
    matcher = "200"
  }

  tags = {
    Color   = var.color
    Release = var.release
  }
}

output "target_group_arn" {
  description = "ARN of the colour's target group."
  value       = aws_lb_target_group.app.arn
}

output "target_group_name" {
  description = "Name of the colour's target group."
  value       = aws_lb_target_group.app.name
}

output "security_group_id" {
  description = "ID of the colour's application security group."
  value       = aws_security_group.app.id
}
