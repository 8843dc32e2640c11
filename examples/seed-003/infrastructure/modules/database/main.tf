# Seed 003's database module (RDS PostgreSQL Multi-AZ, ElastiCache Redis) as
# terraform_data stand-ins.

variable "name" {
  type = string
}

variable "subnets" {
  type = list(string)
}

variable "instance_class" {
  type = string
}

variable "multi_az" {
  type = bool
}

resource "terraform_data" "postgres" {
  input = {
    identifier     = "${var.name}-postgres"
    engine         = "postgres"
    instance_class = var.instance_class
    multi_az       = var.multi_az
    subnets        = var.subnets
  }
}

resource "terraform_data" "redis" {
  input = {
    replication_group_id = "${var.name}-redis"
    subnets              = var.subnets
  }
}

output "postgres_endpoint" {
  value = "${terraform_data.postgres.input.identifier}.db.internal:5432"
}

output "redis_endpoint" {
  value = "${terraform_data.redis.input.replication_group_id}.cache.internal:6379"
}
