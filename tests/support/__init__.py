"""Helpers every kind of test shares: live processes to stand for a gateway, and running the CLI."""
