# EMR Serverless application for the Spark jobs. Jobs run with the pipeline role as
# their execution role (iam.tf); pyspark 3.5.3's jars (Delta, hadoop-aws) go with each
# job. Capacity: maximum_capacity caps what all workers use at once; the initial
# capacity keeps workers warm (count 0: none, the cheapest, with a cold start per run).
resource "aws_emrserverless_application" "spark" {
  count = var.create_emr_serverless_application ? 1 : 0

  name          = "${var.name_prefix}-spark"
  release_label = var.emr_release_label
  type          = "SPARK"
  architecture  = var.emr_architecture

  maximum_capacity {
    cpu    = var.emr_maximum_capacity.cpu
    memory = var.emr_maximum_capacity.memory
    disk   = var.emr_maximum_capacity.disk
  }

  dynamic "initial_capacity" {
    for_each = {
      for type, capacity in { Driver = var.emr_driver_capacity, Executor = var.emr_executor_capacity } :
      type => capacity if capacity.count > 0
    }
    content {
      initial_capacity_type = initial_capacity.key
      initial_capacity_config {
        worker_count = initial_capacity.value.count
        worker_configuration {
          cpu    = initial_capacity.value.cpu
          memory = initial_capacity.value.memory
          disk   = initial_capacity.value.disk
        }
      }
    }
  }

  auto_start_configuration {
    enabled = true
  }

  auto_stop_configuration {
    enabled              = true
    idle_timeout_minutes = var.emr_idle_timeout_minutes
  }

  dynamic "network_configuration" {
    for_each = length(var.emr_subnet_ids) > 0 ? [1] : []
    content {
      subnet_ids         = var.emr_subnet_ids
      security_group_ids = var.emr_security_group_ids
    }
  }
}
