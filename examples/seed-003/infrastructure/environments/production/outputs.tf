output "blue_release" {
  value = module.blue.release
}

output "blue_health_url" {
  value = module.blue.health_url
}

output "green_desired_count" {
  value = module.green.desired_count
}

output "live_color" {
  description = "The colour the listener forwards to."
  value       = module.traffic.active_color
}

output "live_error_rate" {
  description = "The live colour's 5xx rate in percent (a stand-in for the CloudWatch metric)."
  value       = module.traffic.live_error_rate
}
