"""The events source (SPEC §7): Kafka topic retail.events through bronze, silver and gold (docs/sources.md)."""
