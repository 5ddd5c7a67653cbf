"""Models of the workorders domain."""
