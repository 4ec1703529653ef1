"""Dagster wiring: thin modules calling the domain core (assets, sensor, schedule, resources)."""
