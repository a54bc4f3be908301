"""The desktop staff inbox (PySide6)."""
