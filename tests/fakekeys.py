"""Deterministic fake credentials in every shape the tests need. None of them is real."""

from __future__ import annotations

import base64
import hashlib

_ALPHABET_BODY = 93  # sk-ant-api03- + 93 + "AA" = 108


def _body(seed: str, n: int) -> str:
    out = ""
    counter = 0
    while len(out) < n:
        digest = hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        out += base64.urlsafe_b64encode(digest).decode().rstrip("=")
        counter += 1
    return out[:n]


def api_key(seed: str = "a") -> str:
    """A well-formed fake Console API key: 108 characters, ends in AA."""
    return "sk-ant-api03-" + _body("api" + seed, _ALPHABET_BODY) + "AA"


def oauth_token(seed: str = "a") -> str:
    """A well-formed fake setup token (108 characters)."""
    return "sk-ant-oat01-" + _body("oat" + seed, _ALPHABET_BODY) + "AA"


def refresh_token(seed: str = "a") -> str:
    return "sk-ant-ort01-" + _body("ort" + seed, _ALPHABET_BODY) + "AA"


def admin_key(seed: str = "a") -> str:
    return "sk-ant-admin01-" + _body("adm" + seed, _ALPHABET_BODY) + "AA"


def openrouter_key(seed: str = "a") -> str:
    return "sk-or-v1-" + hashlib.sha256(seed.encode()).hexdigest()


def openai_key(seed: str = "a") -> str:
    return "sk-proj-" + _body("oai" + seed, 40) + "T3BlbkFJ" + _body("oai2" + seed, 40)


def google_key(seed: str = "a") -> str:
    return "AIzaSy" + _body("goo" + seed, 33)
