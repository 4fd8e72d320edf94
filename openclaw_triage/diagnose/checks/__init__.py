"""The checks `diagnose` runs, one family per module; each adds findings to a `Collector`."""
