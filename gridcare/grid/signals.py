"""Signals of the grid: what other apps follow without the grid writing their rows."""

from django.dispatch import Signal

# Sent after transformer areas moved to another supply station (an import re-assigned them),
# with ``area_ids``: the customers app moves the areas' customers along (户变关系).
transformer_areas_moved = Signal()
