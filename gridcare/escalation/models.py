"""Models of the escalation domain."""
