"""Item models over the encrypted cache: one per view."""
