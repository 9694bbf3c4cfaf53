"""Upkeep of the lakehouse: table retention, OPTIMIZE, VACUUM, and archiving landing files."""
