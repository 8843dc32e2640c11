# Stand-ins for aws_msk_configuration.main and aws_msk_cluster.main: moto never
# brings an MSK cluster to ACTIVE, so the real type would wait forever. The
# terraform_data inputs carry what the real cluster would be configured with;
# the outputs are computed from them so they are known at plan time.

variable "name" {
  description = "Name prefix."
  type        = string
}

variable "region" {
  type = string
}

variable "account_id" {
  description = "Account of the fake ARNs (moto's default account)."
  type        = string
  default     = "123456789012"
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  description = "Client subnets: one broker per subnet per 'row'."
  type        = list(string)
}

variable "broker_count" {
  type = number
}

variable "instance_type" {
  type = string
}

variable "kafka_version" {
  type    = string
  default = "3.6.0"
}

locals {
  cluster_name = "${var.name}-kafka"
  cluster_uuid = uuidv5("dns", "${local.cluster_name}.${var.region}.${var.account_id}")
  cluster_arn  = "arn:aws:kafka:${var.region}:${var.account_id}:cluster/${local.cluster_name}/${local.cluster_uuid}-1"
  brokers_tls = join(",", [
    for i in range(var.broker_count) :
    "b-${i + 1}.${local.cluster_name}.${substr(local.cluster_uuid, 0, 6)}.c2.kafka.${var.region}.amazonaws.com:9094"
  ])
}

# Stand-in for aws_msk_configuration.main.
resource "terraform_data" "msk_configuration" {
  input = {
    name           = "${local.cluster_name}-config"
    kafka_versions = [var.kafka_version]
    server_properties = join("\n", [
      "auto.create.topics.enable=false",
      "default.replication.factor=3",
      "min.insync.replicas=2",
      "num.partitions=24",
    ])
  }
}

# Stand-in for aws_msk_cluster.main.
resource "terraform_data" "msk_cluster" {
  input = {
    cluster_name           = local.cluster_name
    kafka_version          = var.kafka_version
    number_of_broker_nodes = var.broker_count
    instance_type          = var.instance_type
    vpc_id                 = var.vpc_id
    client_subnets         = var.subnet_ids
    configuration_name     = terraform_data.msk_configuration.input.name
    arn                    = local.cluster_arn
    bootstrap_brokers_tls  = local.brokers_tls
  }
}

output "cluster_name" {
  value = terraform_data.msk_cluster.input.cluster_name
}

output "cluster_arn" {
  value = terraform_data.msk_cluster.input.arn
}

output "bootstrap_brokers_tls" {
  value = terraform_data.msk_cluster.input.bootstrap_brokers_tls
}

output "broker_count" {
  value = terraform_data.msk_cluster.input.number_of_broker_nodes
}
