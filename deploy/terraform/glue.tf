# The catalog step registers every Delta table here (SPEC section 6); Athena and
# Spark on EMR find the tables by name.
resource "aws_glue_catalog_database" "lakehouse" {
  name         = var.glue_database_name
  description  = "Retail lakehouse: every Delta table from bronze to gold, registered by the pipeline's catalog step."
  location_uri = "s3://${aws_s3_bucket.this["lakehouse"].bucket}/${var.lakehouse_prefix}/"
}
