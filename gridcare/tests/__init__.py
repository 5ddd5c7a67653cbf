"""Tests across every app: the crawl of every page as every role, the permission matrix, figure cross-checks."""
