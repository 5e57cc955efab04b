"""Encryption at rest (Fernet: AES-128-CBC with HMAC-SHA256) of intake answers, booking
notes and the practitioner's second-factor secrets.

Keys come from ``settings.INTAKE_ENCRYPTION_KEYS``, read at call time: the first key
encrypts, every key decrypts (MultiFernet), so a new key is put first, ``manage.py
rotate_intake_keys`` re-encrypts everything stored with it, and the old key is removed.
"""

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "InvalidToken",
    "decrypt_json",
    "decrypt_text",
    "encrypt_json",
    "encrypt_text",
    "rotate",
]

NO_KEYS = (
    "INTAKE_ENCRYPTION_KEYS is empty: set it to one or more comma-separated Fernet keys "
    "(the first encrypts). Make one with: python -c "
    '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


@lru_cache(maxsize=4)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _keys() -> MultiFernet:
    keys = tuple(settings.INTAKE_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured(NO_KEYS)
    return _multifernet(keys)


def encrypt_json(obj: Any) -> bytes:
    """The JSON of ``obj``, encrypted with the first key."""
    plaintext = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return _keys().encrypt(plaintext.encode())


def decrypt_json(token: bytes | memoryview) -> Any:
    """The object ``encrypt_json`` was given; raises InvalidToken when no key can read it."""
    return json.loads(_keys().decrypt(bytes(token)))


def encrypt_text(text: str) -> str:
    """``text`` as a Fernet token in text form, for secrets kept in text fields (the
    practitioner's TOTP secret, through allauth's MFA adapter)."""
    return _keys().encrypt(text.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    return _keys().decrypt(token.encode("ascii")).decode()


def rotate(token: bytes | memoryview) -> bytes:
    """The same plaintext, re-encrypted with the first key (its timestamp is kept)."""
    return _keys().rotate(bytes(token))
