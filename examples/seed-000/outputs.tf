output "vpc_id" {
  description = "ID of the environment's VPC."
  value       = module.vpc.vpc_id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets."
  value       = module.vpc.private_subnet_ids
}

output "kafka_cluster_arn" {
  description = "ARN of the MSK cluster (stand-in)."
  value       = module.kafka.cluster_arn
}

output "kafka_bootstrap_brokers_tls" {
  description = "TLS bootstrap brokers of the MSK cluster (stand-in)."
  value       = module.kafka.bootstrap_brokers_tls
}

output "kms_key_id" {
  description = "ID of the data stores KMS key."
  value       = aws_kms_key.data_stores.key_id
}

output "s3_bucket_name" {
  description = "Name of the data lake bucket."
  value       = module.data_stores.data_lake_bucket
}

output "artifacts_bucket_name" {
  description = "Name of the artifacts bucket."
  value       = aws_s3_bucket.artifacts.bucket
}

output "lambda_function_names" {
  description = "Lambda processor names by source (stand-ins), e.g. .datadog."
  value       = module.lambda_processors.function_names
}

output "security_groups" {
  description = "Security group IDs by role, e.g. .neo4j."
  value = {
    kafka  = aws_security_group.kafka.id
    lambda = aws_security_group.lambda.id
    neo4j  = aws_security_group.neo4j.id
  }
}

output "alerts_topic_arn" {
  description = "ARN of the alerts SNS topic."
  value       = aws_sns_topic.alerts.arn
}

output "neo4j_endpoint" {
  description = "Endpoint of the Neo4j database (stand-in)."
  value       = module.data_stores.neo4j_endpoint
}

output "timescaledb_endpoint" {
  description = "Endpoint of the TimescaleDB database (stand-in)."
  value       = module.data_stores.timescaledb_endpoint
}

output "redis_endpoint" {
  description = "Primary endpoint of the Redis replication group (stand-in)."
  value       = module.data_stores.redis_endpoint
}

output "neo4j_connection_uri" {
  description = "Connection URI including the password: sensitive, never printed."
  value       = module.data_stores.neo4j_connection_uri
  sensitive   = true
}
