environment        = "production"
domain             = "pixelatedempathy.com"
vpc_cidr           = "10.30.0.0/16"
availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]

db_instance_class = "db.r6g.large"
db_multi_az       = true

green_release       = "v1.2.2"
green_desired_count = 3
blue_release        = "v1.2.3"
blue_desired_count  = 3
