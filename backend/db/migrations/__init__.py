"""Alembic migrations of the Nodeloom database (run by ``backend.db.migrate``)."""
