"""The HTTP layer beneath the app: connection limits and request size limits."""
