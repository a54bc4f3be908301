"""The practice server: the HTTP API every Practice Inbox client syncs with."""
