# CloudWatch alarms on the Kafka cluster and every Lambda processor, routed to
# the module's own SNS topic.

variable "name" {
  description = "Name prefix."
  type        = string
}

variable "kafka_cluster_name" {
  type = string
}

variable "lambda_function_names" {
  description = "Processor function names by source."
  type        = map(string)
}

resource "aws_sns_topic" "monitoring" {
  name = "${var.name}-monitoring"
}

resource "aws_cloudwatch_metric_alarm" "kafka_cpu" {
  alarm_name          = "${var.name}-kafka-cpu-high"
  alarm_description   = "MSK broker CPU above 80% for 10 minutes"
  namespace           = "AWS/Kafka"
  metric_name         = "CpuUser"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.monitoring.arn]

  dimensions = {
    "Cluster Name" = var.kafka_cluster_name
  }
}

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each = var.lambda_function_names

  alarm_name          = "${each.value}-errors"
  alarm_description   = "Errors of the ${each.key} processor"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 5
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.monitoring.arn]

  dimensions = {
    FunctionName = each.value
  }
}

output "topic_arn" {
  value = aws_sns_topic.monitoring.arn
}

output "alarm_names" {
  value = concat(
    [aws_cloudwatch_metric_alarm.kafka_cpu.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.lambda_errors : a.alarm_name],
  )
}
