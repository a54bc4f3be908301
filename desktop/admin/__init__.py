"""Administration windows: people, the practice, the audit log and the signed-in account."""
