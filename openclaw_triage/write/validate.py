"""Which secret may go into which profile, decided once for the API and the CLI alike.

An Anthropic API key (`sk-ant-api03-`) goes only into an `api_key` profile and a setup token
(`sk-ant-oat01-`) only into a `token` profile; refresh tokens, Admin keys and other providers'
keys never go anywhere. Only what `keys.sanitize` calls safe is cleaned; everything else is
refused with the reason and, where it helps, the profile and type that would be right.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..keys import SAFE_TO_CLEAN, KeyInfo, KeyKind, classify, mask, problem_text, sanitize
from ..model import AuthStore, CredentialType, Era
from ..openclaw.coerce import normalize_provider
from ..providers import get as provider_row
from .errors import InvalidInput, InvalidSecret

_ANTHROPIC_KINDS = frozenset(
    {KeyKind.API_KEY, KeyKind.OAUTH_TOKEN, KeyKind.REFRESH_TOKEN, KeyKind.ADMIN_KEY, KeyKind.ANTHROPIC_OTHER}
)
_NATURAL_TYPE = {KeyKind.API_KEY: CredentialType.API_KEY, KeyKind.OAUTH_TOKEN: CredentialType.TOKEN}


@dataclass(frozen=True, slots=True)
class Checked:
    """A secret that may be stored: its cleaned value, its type, what cleaning removed."""

    value: str
    type: CredentialType
    info: KeyInfo
    cleaned: tuple[str, ...] = ()

    @property
    def masked(self) -> str:
        return mask(self.value)


def default_profile_id(provider: str, ctype: CredentialType, store: AuthStore | None = None) -> str:
    """Where a new secret of `ctype` goes when no id is given.

    The one existing profile of that provider and type if there is exactly one; else OpenClaw's
    own names: `<provider>:default` for an API key (what onboard writes) and `<provider>:manual`
    for a token (what `paste-token` writes), unless that id is taken by another type.
    """
    key = normalize_provider(provider, Era.SQLITE)  # stored providers are compared the same way
    if store is not None:
        same = [
            pid
            for pid, p in store.profiles.items()
            if p.type == ctype and normalize_provider(p.provider, Era.SQLITE) == key
        ]
        if len(same) == 1:
            return same[0]
    names = [f"{key}:default", f"{key}:manual"] if ctype is CredentialType.API_KEY else [f"{key}:manual"]
    for name in names:
        existing = store.profiles.get(name) if store is not None else None
        if existing is None or existing.type == ctype:
            return name
    return f"{key}:{'api-key' if ctype is CredentialType.API_KEY else 'token'}"


def _a(word: str) -> str:
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _suggest(provider: str, ctype: CredentialType, store: AuthStore | None) -> str:
    pid = default_profile_id(provider, ctype, store)
    return f"--type {ctype} --profile-id {pid}"


def check_secret(
    provider: str,
    raw: str,
    ctype: CredentialType | None = None,
    *,
    store: AuthStore | None = None,
) -> Checked:
    """Clean `raw` and decide whether it may be stored as `ctype` (None: the type its shape implies).

    Raises `InvalidSecret` with the reason, and the right `--type`/`--profile-id` when the
    secret is fine but aimed at the wrong kind of profile.
    """
    if ctype is not None and ctype not in (CredentialType.API_KEY, CredentialType.TOKEN):
        raise InvalidInput(f"{ctype} profiles are created by signing in with OpenClaw, not by pasting a secret.")
    result = sanitize(raw)
    info = result.info
    key = normalize_provider(provider, Era.SQLITE)  # stored providers are compared the same way
    cleaned = tuple(problem_text(p) for p in result.cleaned)
    if info.kind is KeyKind.EMPTY or not (result.value or "").strip():
        raise InvalidSecret("Nothing was pasted (the input is empty). Nothing was changed.")
    if not result.ok or result.value is None:
        what = info.kind.label
        reason = result.reason() or "it is not a usable key"
        raise InvalidSecret(
            f"{what} was refused: {reason}. Nothing was changed.",
            hint="Copy the key again from its source (the Anthropic Console, or `claude setup-token`) and paste it unchanged.",
        )
    value = result.value
    if key != "anthropic":
        if info.kind in _ANTHROPIC_KINDS:
            raise InvalidSecret(
                f"This is an {info.kind.label}; it does not belong to provider {key}. Nothing was changed."
            )
        row = provider_row(key)
        if row is not None:  # judged by that provider's key shapes, as the diagnosis judges it
            info = classify(value, key)
            if info.kind is KeyKind.OTHER_PROVIDER:
                raise InvalidSecret(
                    f"This is {_a(info.provider_guess or 'other provider')} key, not {_a(row.label)} one; it belongs in "
                    f"{info.belongs}. Nothing was changed."
                )
            refused = [p for p in info.problems if p not in SAFE_TO_CLEAN]
            if refused or info.kind is not KeyKind.API_KEY:
                reason = "; ".join(problem_text(p, info) for p in refused) or f"it is not {_a(row.label)} key"
                raise InvalidSecret(
                    f"{info.describe().split(':', 1)[0]} was refused: {reason}. Nothing was changed.",
                    hint=f"Copy the key again from {row.keys_url} and paste it unchanged.",
                )
        return Checked(value, ctype or CredentialType.API_KEY, info, cleaned)
    kind = info.kind
    if kind is KeyKind.REFRESH_TOKEN:
        raise InvalidSecret(
            "This is an OAuth refresh token (sk-ant-ort01-); OpenClaw cannot use it as a key or token. Nothing was changed.",
            hint="Run `claude setup-token` for a setup token (sk-ant-oat01-), or create an API key in the Anthropic Console.",
        )
    if kind is KeyKind.ADMIN_KEY:
        raise InvalidSecret(
            "This is an Anthropic Admin API key (sk-ant-admin01-); it manages an organisation and cannot call models. "
            "Nothing was changed.",
            hint="Create a normal API key (sk-ant-api03-) in the Anthropic Console.",
        )
    if kind is KeyKind.OTHER_PROVIDER:
        raise InvalidSecret(
            f"This is an {info.provider_guess or 'other provider'} key, not an Anthropic one; it belongs in "
            f"{info.belongs}. Nothing was changed."
        )
    natural = _NATURAL_TYPE.get(kind)
    if natural is None:
        raise InvalidSecret(
            f"This is {info.describe()}, not an Anthropic API key (sk-ant-api03-) or setup token (sk-ant-oat01-). "
            "Nothing was changed."
        )
    if ctype is not None and ctype != natural:
        if natural is CredentialType.TOKEN:
            raise InvalidSecret(
                "This is a setup token (sk-ant-oat01-); it goes in a token profile, not an api_key profile. "
                "Nothing was changed.",
                hint=f"Use {_suggest(key, natural, store)} (OpenClaw names it {key}:manual).",
            )
        raise InvalidSecret(
            "This is an API key (sk-ant-api03-); it goes in an api_key profile, not a token profile. Nothing was changed.",
            hint=f"Use {_suggest(key, natural, store)}.",
        )
    return Checked(value, natural, info, cleaned)


def check_profile_fits(
    profile_id: str, provider: str, ctype: CredentialType, store: AuthStore | None, *, secret_kind: str = "secret"
) -> None:
    """Refuse to put a secret into an existing profile of another type or provider, with the right id to use."""
    if store is None:
        return
    existing = store.profiles.get(profile_id)
    if existing is None:
        return
    key = normalize_provider(provider, Era.SQLITE)  # stored providers are compared the same way
    if normalize_provider(existing.provider, Era.SQLITE) != key:
        raise InvalidInput(f"{profile_id} belongs to provider {existing.provider}, not {key}. Nothing was changed.")
    if existing.type != ctype:
        article = "an" if str(ctype)[0] in "aeiou" else "a"
        raise InvalidInput(
            f"{profile_id} is a {existing.type} profile; this {secret_kind} needs {article} {ctype} profile. "
            "Nothing was changed.",
            hint=f"Use {_suggest(key, ctype, store)}, or remove {profile_id} first.",
        )
