variable "environment" {
  description = "The environment this directory is (production, staging)."
  type        = string
}

variable "domain" {
  description = "The application's domain."
  type        = string
}

variable "vpc_cidr" {
  type = string
}

variable "availability_zones" {
  type = list(string)
}

variable "db_instance_class" {
  type = string
}

variable "db_multi_az" {
  type = bool
}

variable "green_release" {
  description = "Release on green: the current production (seed 003 rolls back to green)."
  type        = string
}

variable "blue_release" {
  description = "Release on blue: the new one (seed 003, phase 1: blue environment preparation)."
  type        = string
}

variable "green_desired_count" {
  type = number
}

variable "blue_desired_count" {
  type = number
}

variable "active_color" {
  description = "The colour the listener forwards to: green, or blue after the switch."
  type        = string
  default     = "green"

  validation {
    condition     = contains(["blue", "green"], var.active_color)
    error_message = "active_color must be blue or green."
  }
}

variable "blue_error_rate" {
  description = "Test knob: the 5xx rate (percent) blue shows once it takes production traffic. Above 1 the post-switch health check fails and the rollback runs (TF_VAR_blue_error_rate=5)."
  type        = number
  default     = 0
}
