"""Deterministic fake credentials in every shape the tests need. None of them is real."""

from __future__ import annotations

import hashlib

from openclaw_triage.demo.build import fake_body as _body
from openclaw_triage.demo.build import fake_secret


def api_key(seed: str = "a") -> str:
    """A well-formed fake Console API key: 108 characters, ends in AA."""
    return fake_secret("sk-ant-api03-", "api" + seed)


def oauth_token(seed: str = "a") -> str:
    """A well-formed fake setup token (108 characters)."""
    return fake_secret("sk-ant-oat01-", "oat" + seed)


def refresh_token(seed: str = "a") -> str:
    return fake_secret("sk-ant-ort01-", "ort" + seed)


def admin_key(seed: str = "a") -> str:
    return fake_secret("sk-ant-admin01-", "adm" + seed)


def openrouter_key(seed: str = "a") -> str:
    return "sk-or-v1-" + hashlib.sha256(seed.encode()).hexdigest()


def openai_key(seed: str = "a") -> str:
    return "sk-proj-" + _body("oai" + seed, 40) + "T3BlbkFJ" + _body("oai2" + seed, 40)


def google_key(seed: str = "a") -> str:
    return "AIzaSy" + _body("goo" + seed, 33)
