"""Small helpers with no knowledge of OpenClaw: bounded file reads, JavaScript string semantics,
ISO times, our own state dir.
"""
