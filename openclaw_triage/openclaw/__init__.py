"""OpenClaw's own rules, read-only and oracle-tested: where an install lives, which release and
storage era it is, its config, its credential stores, the order it tries profiles in, the labels
`models status` prints, and the exact commands that change them. Nothing here looks at a running
process or the network (that is `runtime`), nor judges what it reads (that is `diagnose`).
"""
