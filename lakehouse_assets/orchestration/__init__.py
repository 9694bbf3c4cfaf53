"""Unattended operation: schedules, landing sensors, alerts and maintenance jobs."""

SCHEDULES: list = []
SENSORS: list = []
JOBS: list = []
RESOURCES: dict = {}
