environment        = "staging"
domain             = "staging.pixelatedempathy.com"
vpc_cidr           = "10.31.0.0/16"
availability_zones = ["us-east-1a", "us-east-1b"]

db_instance_class = "db.t4g.medium"
db_multi_az       = false

green_release       = "v1.2.2"
green_desired_count = 1
blue_release        = "v1.2.3"
blue_desired_count  = 1
