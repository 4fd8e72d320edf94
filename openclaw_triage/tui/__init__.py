"""The full-screen app: a thin Textual shell over the domain (which never imports Textual)."""
