"""The inbox's dialogs, one per module."""
