"""What is wrong, and the fix for it: `run.diagnose` runs every rule in `checks/` over an
inspected install into a `result.Diagnosis`; `pins` says what OpenClaw does with each chat's pin.
Reads only what `openclaw` and `runtime` found; changes nothing.
"""
