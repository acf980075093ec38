"""Live run events over WebSockets: the per-process hub and the ``/runs/{id}/events`` socket."""
