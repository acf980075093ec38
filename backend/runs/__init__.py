"""Runs as the backend sees them: statuses, and the summary kept from a run's events."""
