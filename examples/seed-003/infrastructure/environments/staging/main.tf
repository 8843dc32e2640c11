# infrastructure/environments/staging: the staging root module of seed 003
# (and seed 004's terraform/environments/staging), built from the same shared
# modules in ../../modules.

locals {
  name = "pixelated-${var.environment}"
}

module "networking" {
  source = "../../modules/networking"

  name               = local.name
  vpc_cidr           = var.vpc_cidr
  availability_zones = var.availability_zones
}

module "database" {
  source = "../../modules/database"

  name           = local.name
  subnets        = module.networking.private_subnets
  instance_class = var.db_instance_class
  multi_az       = var.db_multi_az
}

module "green" {
  source = "../../modules/service"

  name              = local.name
  color             = "green"
  domain            = var.domain
  release           = var.green_release
  desired_count     = var.green_desired_count
  subnets           = module.networking.private_subnets
  database_endpoint = module.database.postgres_endpoint
}

module "blue" {
  source = "../../modules/service"

  name              = local.name
  color             = "blue"
  domain            = var.domain
  release           = var.blue_release
  desired_count     = var.blue_desired_count
  subnets           = module.networking.private_subnets
  database_endpoint = module.database.postgres_endpoint
}

module "traffic" {
  source = "../../modules/traffic"

  name         = local.name
  active_color = var.active_color
  services     = { blue = module.blue.service_name, green = module.green.service_name }
  error_rates  = { blue = var.blue_error_rate, green = 0 }
}
