# One colour of seed 003's blue/green application (the compute module: an ECS
# Fargate service and its task definition), as terraform_data stand-ins. The
# environments call it twice, as module.blue and module.green.

variable "name" {
  type = string
}

variable "color" {
  type = string
}

variable "domain" {
  type = string
}

variable "release" {
  description = "The application release (image tag) this colour runs."
  type        = string
}

variable "desired_count" {
  description = "Running tasks; 0 scales the colour down (seed 003, phase 4)."
  type        = number
}

variable "subnets" {
  type = list(string)
}

variable "database_endpoint" {
  type = string
}

resource "terraform_data" "task_definition" {
  input = {
    family   = "${var.name}-${var.color}"
    image    = "pixelated-empathy:${var.release}"
    database = var.database_endpoint
  }
}

resource "terraform_data" "service" {
  input = {
    name            = "${var.name}-${var.color}"
    task_definition = "${terraform_data.task_definition.input.family}:${var.release}"
    desired_count   = var.desired_count
    subnets         = var.subnets
    health_url      = "https://${var.color}.${var.domain}/health"
  }
}

output "service_name" {
  value = terraform_data.service.input.name
}

output "release" {
  value = var.release
}

output "desired_count" {
  value = terraform_data.service.input.desired_count
}

output "health_url" {
  value = terraform_data.service.input.health_url
}
