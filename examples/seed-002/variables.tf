variable "aws_endpoint" {
  description = "Base URL of the AWS API emulator (moto) used for every service endpoint, e.g. http://localhost:4566. scripts/with-moto exports it as TF_VAR_aws_endpoint."
  type        = string
  default     = "http://localhost:4566"
}

variable "aws_region" {
  description = "AWS region (moto accepts any)."
  type        = string
  default     = "us-east-1"
}

variable "environment" {
  description = "Environment name (prod, staging); part of every AWS name."
  type        = string
  default     = "prod"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,11}$", var.environment))
    error_message = "environment must be lowercase letters, digits and dashes (at most 12 characters: target group names are limited to 32)."
  }
}

variable "vpc_cidr" {
  description = "CIDR block of the environment's VPC."
  type        = string
  default     = "10.20.0.0/16"
}

variable "green_weight" {
  description = "Percentage of the listener's traffic sent to green (0-100); blue gets the rest. The canary stages set 5, 25, 50, 100."
  type        = number
  default     = 0

  validation {
    condition     = var.green_weight >= 0 && var.green_weight <= 100 && floor(var.green_weight) == var.green_weight
    error_message = "green_weight must be a whole number from 0 to 100."
  }
}

variable "blue_enabled" {
  description = "Whether the configuration declares the blue environment. The retire-blue stage sets false, so that after `destroy -target=module.blue_environment` the configuration matches the state (and the final untargeted plan converges)."
  type        = bool
  default     = true
}

variable "blue_release" {
  description = "Application release running on blue (the current production)."
  type        = string
  default     = "v1.2.2"
}

variable "green_release" {
  description = "Application release deployed to green (the new one)."
  type        = string
  default     = "v1.2.3"
}
