"""Runs as the API sees them: statuses, the summary kept from a run's events, and what
every API process runs beside its routes (``backend.runtime``): the recorder, which
stores each run's events, and the reaper, which fails runs whose worker died."""
