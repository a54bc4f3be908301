"""The inbox's widgets, one per module."""
