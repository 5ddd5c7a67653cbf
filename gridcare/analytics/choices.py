"""Codes of the analytics domain.

The request types and dimensions are the work order's codes (TAXONOMY_RULES.md); they
are re-exported here so the classifier has one source of truth.
"""

from gridcare.workorders.choices import Dimension, RequestType

REQUEST_TYPES: tuple[str, ...] = tuple(RequestType.values)
DIMENSIONS: tuple[str, ...] = tuple(Dimension.values)

__all__ = ["DIMENSIONS", "REQUEST_TYPES", "Dimension", "RequestType"]
