locals {
  # Names must be unique per workspace: several workspaces may share one moto.
  # In the usual case (workspace == environment) names read like the seed's
  # "<env>-ubiquitous-..."; any other workspace is folded into the prefix.
  workspace_slug = lower(replace(terraform.workspace, "/[^a-zA-Z0-9-]/", "-"))
  name_prefix = (
    local.workspace_slug == var.environment
    ? "${var.environment}-ubiquitous"
    : "${var.environment}-${local.workspace_slug}-ubiquitous"
  )
}

# ---------------------------------------------------------------------------
# Modules, in the order of the seed's production rollout.
# ---------------------------------------------------------------------------

module "vpc" {
  source = "./modules/vpc"

  name     = local.name_prefix
  vpc_cidr = var.vpc_cidr
}

module "data_stores" {
  source = "./modules/data_stores"

  name                       = local.name_prefix
  subnet_ids                 = module.vpc.private_subnet_ids
  neo4j_instance_class       = var.neo4j_instance_class
  timescaledb_instance_class = var.timescaledb_instance_class
  redis_num_cache_nodes      = var.redis_num_cache_nodes
  db_password                = var.db_password
}

module "kafka" {
  source = "./modules/kafka"

  name          = local.name_prefix
  region        = var.aws_region
  vpc_id        = module.vpc.vpc_id
  subnet_ids    = module.vpc.private_subnet_ids
  broker_count  = var.kafka_broker_count
  instance_type = var.kafka_instance_type
}

module "lambda_processors" {
  source = "./modules/lambda_processors"

  name                    = local.name_prefix
  vpc_id                  = module.vpc.vpc_id
  subnet_ids              = module.vpc.private_subnet_ids
  kafka_cluster_arn       = module.kafka.cluster_arn
  kafka_bootstrap_brokers = module.kafka.bootstrap_brokers_tls
  memory_size             = var.lambda_memory_size

  step_delay_seconds = var.step_delay_seconds
  fail_marker_file   = var.fail_marker_file
  fail_always        = var.fail_always
  deploy_revision    = var.deploy_revision
}

module "monitoring" {
  source = "./modules/monitoring"

  name                  = local.name_prefix
  kafka_cluster_name    = module.kafka.cluster_name
  lambda_function_names = module.lambda_processors.function_names
}

# ---------------------------------------------------------------------------
# Stand-alone resources the seed targets by address in phases 1-2. They only
# depend on module.vpc, so targeting one of them never drags in another stage.
# ---------------------------------------------------------------------------

resource "aws_kms_key" "data_stores" {
  description             = "${local.name_prefix} data stores encryption key"
  deletion_window_in_days = 7
  enable_key_rotation     = true
}

resource "aws_security_group" "kafka" {
  name        = "${local.name_prefix}-kafka"
  description = "MSK brokers"
  vpc_id      = module.vpc.vpc_id

  ingress {
    description = "Kafka TLS from inside the VPC"
    from_port   = 9094
    to_port     = 9094
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "lambda" {
  name        = "${local.name_prefix}-lambda"
  description = "Lambda processors"
  vpc_id      = module.vpc.vpc_id

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "neo4j" {
  name        = "${local.name_prefix}-neo4j"
  description = "Neo4j graph database"
  vpc_id      = module.vpc.vpc_id

  ingress {
    description = "Bolt from inside the VPC"
    from_port   = 7687
    to_port     = 7687
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }
}

resource "aws_sns_topic" "alerts" {
  name = "${local.name_prefix}-alerts"
}

resource "aws_db_subnet_group" "main" {
  name        = "${local.name_prefix}-db"
  description = "Subnets of the Neo4j and TimescaleDB instances"
  subnet_ids  = module.vpc.private_subnet_ids
}

resource "aws_s3_bucket" "artifacts" {
  bucket        = "${local.name_prefix}-artifacts"
  force_destroy = true
}
