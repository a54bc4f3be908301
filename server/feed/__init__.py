"""The per-user change feed: recording changes, reading pages, and waking long polls."""
