"""Loopback servers for the hostile-site, canary and crash tests (127/8 and ::1 only)."""
