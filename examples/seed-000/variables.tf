variable "aws_endpoint" {
  description = "Base URL of the AWS API emulator (moto) used for every service endpoint, e.g. http://localhost:4566. scripts/with-moto exports it as TF_VAR_aws_endpoint."
  type        = string
  default     = "http://localhost:4566"
}

variable "aws_region" {
  description = "AWS region (moto accepts any; us-east-1 matches the seed)."
  type        = string
  default     = "us-east-1"
}

variable "environment" {
  description = "Environment name: dev, staging or prod."
  type        = string
  default     = "dev"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.environment))
    error_message = "environment must be lowercase letters, digits and dashes (at most 16 characters)."
  }
}

variable "vpc_cidr" {
  description = "CIDR block of the environment's VPC."
  type        = string
  default     = "10.10.0.0/16"
}

variable "kafka_broker_count" {
  description = "Number of MSK brokers (a multiple of the 3 private subnets). The seed scales it with -var=kafka_broker_count=9."
  type        = number
  default     = 3

  validation {
    condition     = var.kafka_broker_count >= 3 && var.kafka_broker_count % 3 == 0
    error_message = "kafka_broker_count must be a positive multiple of 3 (one broker per private subnet)."
  }
}

variable "kafka_instance_type" {
  description = "MSK broker instance type."
  type        = string
  default     = "kafka.m5.large"
}

variable "neo4j_instance_class" {
  description = "Instance class of the Neo4j (graph) database. The seed scales it with -var=neo4j_instance_class=db.r5.8xlarge."
  type        = string
  default     = "db.r5.large"
}

variable "timescaledb_instance_class" {
  description = "Instance class of the TimescaleDB (metrics) database."
  type        = string
  default     = "db.r5.large"
}

variable "redis_num_cache_nodes" {
  description = "Number of Redis cache nodes. The seed scales it with -var=redis_num_cache_nodes=6."
  type        = number
  default     = 2
}

variable "lambda_memory_size" {
  description = "Memory (MB) of each Lambda processor."
  type        = number
  default     = 512
}

variable "db_password" {
  description = "Master password of the databases. Dummy default: tests check that this value is never printed."
  type        = string
  sensitive   = true
  default     = "dummy-Pa55word-never-print-me"
}

# ---------------------------------------------------------------------------
# Test knobs for module.lambda_processors.terraform_data.deploy_hook. The
# defaults make the hook a no-op that costs nothing.
# ---------------------------------------------------------------------------

variable "step_delay_seconds" {
  description = "Seconds the deploy hook sleeps when it runs (makes the lambda_processors stage slow)."
  type        = number
  default     = 0
}

variable "fail_marker_file" {
  description = "If set and the file does not exist yet, the deploy hook creates it and fails: the stage fails on its first try and succeeds on the next."
  type        = string
  default     = ""
}

variable "fail_always" {
  description = "If true the deploy hook fails every time it runs."
  type        = bool
  default     = false
}

variable "deploy_revision" {
  description = "Changing it replaces (re-runs) the deploy hook."
  type        = string
  default     = "1"
}
