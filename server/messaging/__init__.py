"""Messaging operations (compose, read, file, delete), apart from HTTP."""
