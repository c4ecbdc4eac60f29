"""Protected values: Fernet encryption with rotating keys, and keyed blind indexes for search.

Encrypted values are stored as Fernet tokens (MultiFernet: the first key of KINGA_ENCRYPTION_KEYS
encrypts, every key decrypts). Blind indexes are HMAC-SHA256 digests, under their own key, of
normalised name tokens and of a phonetic code suited to Congolese names, so that the database can
answer "whole name token equals X, exactly or phonetically" without ever holding a name in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

TOKEN_PREFIX = "gAAAA"  # every Fernet token starts so (version byte 0x80, base64)


class ProtectedValue(str):
    """A decrypted value: behaves as a str, but logs and error reports print it masked."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'[protégé]'"


@lru_cache(maxsize=4)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise RuntimeError("KINGA_ENCRYPTION_KEYS is empty")
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def fernet() -> MultiFernet:
    return _multifernet(tuple(settings.KINGA_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> ProtectedValue:
    try:
        return ProtectedValue(fernet().decrypt(token.encode("ascii")).decode("utf-8"))
    except InvalidToken:
        raise ValueError("A protected value cannot be decrypted with the configured keys") from None


def rotate(token: str) -> str:
    """The same value re-encrypted under the primary key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


# --- blind indexes ---------------------------------------------------------------------------------

_NON_LETTERS = re.compile(r"[^a-z]+")


def normalise(text: str) -> str:
    """Lower case, accents folded, anything but letters becomes a space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_LETTERS.sub(" ", ascii_text).split())


def name_tokens(text: str) -> list[str]:
    """Whole name tokens: 'Ilunga-Mwamba  Kabwe' → ['ilunga', 'mwamba', 'kabwe']."""
    return [t for t in normalise(text).split() if t]


# Spelling variants heard in Lualaba names (Luba, Lunda, Swahili, French transcription).
_PHONETIC_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"tch|tsh|ch|sh"), "x"),  # Tshibangu / Chibangu / Shibangu
    (re.compile(r"ph"), "f"),
    (re.compile(r"qu|q"), "k"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"c"), "k"),
    (re.compile(r"ou"), "u"),  # Ilounga / Ilunga
    (re.compile(r"w"), "u"),  # Kabwe / Kabue
    (re.compile(r"y"), "i"),  # Kabeya / Kabeia
    (re.compile(r"r"), "l"),  # l / r alternate in Luba transcription
    (re.compile(r"h"), ""),
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters
]


def phonetic(token: str) -> str:
    """A phonetic code of one normalised name token; variants of one name share it."""
    code = normalise(token).replace(" ", "")
    for pattern, replacement in _PHONETIC_RULES:
        code = pattern.sub(replacement, code)
    return code


def _digest(kind: str, value: str) -> str:
    key = settings.KINGA_BLIND_INDEX_KEY.encode("utf-8")
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def exact_digest(token: str) -> str:
    return _digest("exact", normalise(token).replace(" ", ""))


def phonetic_digest(token: str) -> str:
    return _digest("phon", phonetic(token))


def value_digest(kind: str, value: str) -> str:
    """Blind index of a whole value (a phone number, a date of birth) for equality search."""
    return _digest(kind, normalise(value) if kind.startswith("name") else value.strip())


def name_digests(text: str) -> list[tuple[str, str]]:
    """(kind, digest) pairs of every token of a name, exact and phonetic, without duplicates."""
    seen: set[tuple[str, str]] = set()
    result = []
    for token in name_tokens(text):
        for pair in (("exact", exact_digest(token)), ("phonetic", phonetic_digest(token))):
            if pair not in seen:
                seen.add(pair)
                result.append(pair)
    return result
