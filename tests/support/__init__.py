"""Test support: a live practice server, a throwaway PostgreSQL cluster, an SMTP peer."""
