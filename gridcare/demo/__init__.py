"""The demo utility: a deterministic, realistic city supply company (not a Django app)."""
