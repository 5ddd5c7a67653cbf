"""Models of the workforce domain."""
