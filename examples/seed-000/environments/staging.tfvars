environment                = "staging"
vpc_cidr                   = "10.20.0.0/16"
kafka_broker_count         = 3
kafka_instance_type        = "kafka.m5.large"
neo4j_instance_class       = "db.r5.large"
timescaledb_instance_class = "db.r5.large"
redis_num_cache_nodes      = 2
lambda_memory_size         = 512
