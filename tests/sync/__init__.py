"""Tests of the sync engine and the encrypted cache, against a real server on loopback."""
