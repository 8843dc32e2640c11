# Each output refers to the resources of one stage only: Terraform writes a root
# output during a targeted apply only when everything it refers to is targeted.

output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.main.id
}

output "load_balancer_arn" {
  description = "ARN of the application load balancer."
  value       = aws_lb.main.arn
}

output "listener_arn" {
  description = "ARN of the weighted listener (the canary's traffic split)."
  value       = aws_lb_listener.main.arn
}

output "green_target_group_arn" {
  description = "ARN of green's target group."
  value       = module.green_environment.target_group_arn
}
