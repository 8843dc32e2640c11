# The seed's data layer. Real resources where moto serves them (DynamoDB, S3);
# terraform_data stand-ins for awscc_rds_db_instance.{neo4j,timescaledb} and
# aws_elasticache_replication_group.redis (slow or unsupported in moto).

variable "name" {
  description = "Name prefix."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets the databases live in."
  type        = list(string)
}

variable "neo4j_instance_class" {
  type = string
}

variable "timescaledb_instance_class" {
  type = string
}

variable "redis_num_cache_nodes" {
  type = number
}

variable "db_password" {
  type      = string
  sensitive = true
}

resource "aws_dynamodb_table" "infrastructure_state" {
  name         = "${var.name}-infrastructure-state"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "resource_id"
  range_key    = "observed_at"

  attribute {
    name = "resource_id"
    type = "S"
  }

  attribute {
    name = "observed_at"
    type = "N"
  }
}

resource "aws_s3_bucket" "data_lake" {
  bucket        = "${var.name}-data-lake"
  force_destroy = true
}

# The seed's aws_s3_bucket_lifecycle_configuration is left out: against moto
# the provider waits ~55 s for the rules to "propagate" on every create.

# Stand-in for the Secrets Manager secret holding the master credentials. The
# password goes into triggers_replace, never into input: terraform_data echoes
# input into its `output` attribute, and Terraform does not carry the
# sensitive mark over to that echo, so a later update would print the old
# password in clear in the human plan ("- password = ..."). triggers_replace
# keeps its mark (plan, state and destroy show "(sensitive value)"). Changing
# the password replaces this resource only.
resource "terraform_data" "db_credentials" {
  triggers_replace = {
    username = "ubiquitous_admin"
    password = var.db_password
  }

  input = {
    secret_name = "${var.name}/db-credentials"
    username    = "ubiquitous_admin"
  }
}

# Stand-in for awscc_rds_db_instance.neo4j.
resource "terraform_data" "neo4j" {
  input = {
    identifier     = "${var.name}-neo4j"
    engine         = "postgres"
    instance_class = var.neo4j_instance_class
    subnet_ids     = var.subnet_ids
    username       = terraform_data.db_credentials.input.username
    credentials    = terraform_data.db_credentials.input.secret_name
    endpoint       = "${var.name}-neo4j.cluster.local:5432"
  }
}

# Stand-in for awscc_rds_db_instance.timescaledb.
resource "terraform_data" "timescaledb" {
  input = {
    identifier     = "${var.name}-timescaledb"
    engine         = "postgres"
    instance_class = var.timescaledb_instance_class
    subnet_ids     = var.subnet_ids
    username       = terraform_data.db_credentials.input.username
    credentials    = terraform_data.db_credentials.input.secret_name
    endpoint       = "${var.name}-timescaledb.cluster.local:5432"
  }
}

# Stand-in for aws_elasticache_replication_group.redis.
resource "terraform_data" "redis" {
  input = {
    replication_group_id = "${var.name}-redis"
    node_type            = "cache.r6g.large"
    num_cache_clusters   = var.redis_num_cache_nodes
    subnet_ids           = var.subnet_ids
    endpoint             = "${var.name}-redis.cache.local:6379"
  }
}

output "data_lake_bucket" {
  value = aws_s3_bucket.data_lake.bucket
}

output "dynamodb_table_name" {
  value = aws_dynamodb_table.infrastructure_state.name
}

output "neo4j_endpoint" {
  value = terraform_data.neo4j.input.endpoint
}

output "timescaledb_endpoint" {
  value = terraform_data.timescaledb.input.endpoint
}

output "redis_endpoint" {
  value = terraform_data.redis.input.endpoint
}

output "neo4j_connection_uri" {
  value     = "postgresql://${terraform_data.neo4j.input.username}:${var.db_password}@${terraform_data.neo4j.input.endpoint}/ubiquitous_graph"
  sensitive = true
}
