# Seed 003's traffic switch: the load balancer listener's default action
# (`aws elbv2 modify-listener --default-actions Type=forward,TargetGroupArn=...`),
# as a terraform_data stand-in that records which colour is live.

variable "name" {
  type = string
}

variable "active_color" {
  type = string
}

variable "services" {
  description = "Service name by colour."
  type        = map(string)
}

variable "error_rates" {
  description = "Stand-in for the live target group's 5xx rate (CloudWatch), in percent, by colour."
  type        = map(number)
}

resource "terraform_data" "listener" {
  input = {
    name         = "${var.name}-https"
    active_color = var.active_color
    forward_to   = var.services[var.active_color]
  }
}

output "active_color" {
  value = terraform_data.listener.input.active_color
}

output "live_error_rate" {
  value = var.error_rates[terraform_data.listener.input.active_color]
}
