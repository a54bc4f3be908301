"""Authentication: password hashing, bearer tokens, sign-in throttling and TOTP."""
