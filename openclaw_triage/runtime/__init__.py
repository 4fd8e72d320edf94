"""The live side of an install, read-only: the running gateway, its log and service environment,
the Discord channel, and the chat sessions with their auth pins. Built on `openclaw`; judged by
`diagnose`.
"""
