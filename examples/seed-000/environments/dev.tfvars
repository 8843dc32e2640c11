environment                = "dev"
vpc_cidr                   = "10.10.0.0/16"
kafka_broker_count         = 3
kafka_instance_type        = "kafka.m5.large"
neo4j_instance_class       = "db.t3.medium"
timescaledb_instance_class = "db.t3.medium"
redis_num_cache_nodes      = 1
lambda_memory_size         = 256
