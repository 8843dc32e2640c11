environment                = "prod"
vpc_cidr                   = "10.30.0.0/16"
kafka_broker_count         = 6
kafka_instance_type        = "kafka.m5.2xlarge"
neo4j_instance_class       = "db.r5.2xlarge"
timescaledb_instance_class = "db.r5.2xlarge"
redis_num_cache_nodes      = 3
lambda_memory_size         = 1024
