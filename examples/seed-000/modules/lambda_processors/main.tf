# The seed's eight Lambda processors, one per data source. moto cannot run
# Lambda functions without Docker, so each aws_lambda_function is a
# terraform_data stand-in. (A real aws_sqs_queue dead-letter queue was left
# out: against moto the provider polls ~25 s for its attributes to propagate.)
#
# terraform_data.deploy_hook is the test knob: a local-exec step that runs when
# the hook is created (or replaced via deploy_revision) and can be made slow
# (step_delay_seconds) or fail once (fail_marker_file) or always (fail_always).
# With the defaults it does nothing and costs nothing.

variable "name" {
  description = "Name prefix."
  type        = string
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "kafka_cluster_arn" {
  type = string
}

variable "kafka_bootstrap_brokers" {
  type = string
}

variable "memory_size" {
  type    = number
  default = 512
}

variable "processors" {
  description = "Data sources, one processor each."
  type        = set(string)
  default = [
    "datadog",
    "cloudwatch",
    "opentelemetry",
    "servicenow",
    "terraform",
    "github",
    "flexera",
    "tanium",
  ]
}

variable "step_delay_seconds" {
  type    = number
  default = 0
}

variable "fail_marker_file" {
  type    = string
  default = ""
}

variable "fail_always" {
  type    = bool
  default = false
}

variable "deploy_revision" {
  type    = string
  default = "1"
}

# Stand-in for aws_lambda_function.processor[each.key].
resource "terraform_data" "processor" {
  for_each = var.processors

  input = {
    function_name = "${var.name}-${each.key}-processor"
    runtime       = "python3.12"
    handler       = "${each.key}_processor.handler"
    memory_size   = var.memory_size
    timeout       = 300
    vpc_id        = var.vpc_id
    subnet_ids    = var.subnet_ids
    environment = {
      KAFKA_BOOTSTRAP_SERVERS = var.kafka_bootstrap_brokers
      KAFKA_TOPIC             = "${each.key}-events"
    }
  }
}

# Stand-in for aws_lambda_event_source_mapping.kafka[each.key].
resource "terraform_data" "event_source_mapping" {
  for_each = var.processors

  input = {
    event_source_arn = var.kafka_cluster_arn
    function_name    = terraform_data.processor[each.key].input.function_name
    topics           = ["${each.key}-events"]
    batch_size       = 100
  }
}

resource "terraform_data" "deploy_hook" {
  triggers_replace = [var.deploy_revision]

  input = {
    functions = sort([for p in terraform_data.processor : p.input.function_name])
  }

  provisioner "local-exec" {
    command = "sh ${path.module}/deploy_hook.sh"
    environment = {
      MARKER      = var.fail_marker_file
      DELAY       = tostring(var.step_delay_seconds)
      FAIL_ALWAYS = tostring(var.fail_always)
    }
  }
}

output "function_names" {
  value = { for k, p in terraform_data.processor : k => p.input.function_name }
}
