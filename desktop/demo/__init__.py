"""`practice-inbox --demo`: an embedded practice server with the demo practice, on loopback.

Only this package imports the server, and only when the demo is asked for.
"""
