"""The client portal: server-rendered pages (PORTAL.md) on the same service functions as the API."""
