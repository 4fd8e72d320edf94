"""The app's screens over the main one: help, questions, install-not-found, the guarded paste."""
