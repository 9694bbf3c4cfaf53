"""Data-quality asset checks on the silver and gold tables."""

ASSET_CHECKS: list = []
