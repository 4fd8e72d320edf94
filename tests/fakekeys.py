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


def openai_service_key(seed: str = "a") -> str:
    return "sk-svcacct-" + _body("svc" + seed, 60) + "T3BlbkFJ" + _body("svc2" + seed, 60)


def openai_legacy_key(seed: str = "a") -> str:
    """`sk-` + 20 + `T3BlbkFJ` + 20: 51 characters, letters and digits only."""
    return "sk-" + _alnum("leg" + seed, 20) + "T3BlbkFJ" + _alnum("leg2" + seed, 20)


def google_auth_key(seed: str = "a") -> str:
    return "AQ.Ab8RN" + _body("aq" + seed, 45)


def xai_key(seed: str = "a") -> str:
    return "xai-" + _alnum("xai" + seed, 80)


def groq_key(seed: str = "a") -> str:
    return "gsk_" + _alnum("groq" + seed, 52)


def mistral_key(seed: str = "a") -> str:
    return _alnum("mis" + seed, 32)


def deepseek_key(seed: str = "a") -> str:
    return "sk-" + hashlib.sha256(("ds" + seed).encode()).hexdigest()[:32]


def _alnum(seed: str, length: int) -> str:
    return "".join(c for c in _body(seed, length * 2) if c.isalnum())[:length].ljust(length, "x")


# One well-formed key per provider of `openclaw_triage.providers` (its id), for parametrised tests.
BY_PROVIDER = {
    "anthropic": api_key,
    "openai": openai_key,
    "openrouter": openrouter_key,
    "google": google_key,
    "xai": xai_key,
    "groq": groq_key,
    "mistral": mistral_key,
    "deepseek": deepseek_key,
}
