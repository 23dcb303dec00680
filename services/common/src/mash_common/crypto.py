"""Sealing personal data before it reaches a topic.

Each contact's data is sealed with its own key (`contact:<id>`), each agency's request with that
agency's key (`agency:<name>`), both derived from the hub's master key with HKDF-SHA256 and used
with AES-256-GCM. Operators reading topics see ciphertext; the key id is bound into the
ciphertext as associated data, so a blob cannot be replayed under another contact.
"""

from __future__ import annotations

import base64
import json
import os
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from mash_schemas.events import Sealed


class SealError(ValueError):
    pass


def _b64e(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def _b64d(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def contact_kid(contact_id: str) -> str:
    return f"contact:{contact_id}"


def agency_kid(agency: str) -> str:
    return f"agency:{agency}"


class Sealer:
    def __init__(self, master_key: str) -> None:
        raw = _b64d(master_key) if len(master_key) != 32 else master_key.encode()
        if len(raw) < 32:
            raise ValueError("the data key must hold at least 32 bytes (base64url)")
        self._master = raw

    @lru_cache(maxsize=4096)  # noqa: B019 - one Sealer per process; keys are small
    def key_for(self, kid: str) -> bytes:
        return HKDF(
            algorithm=hashes.SHA256(), length=32, salt=b"mash-sealed-v1", info=kid.encode()
        ).derive(self._master)

    def seal(self, kid: str, payload: dict[str, Any]) -> Sealed:
        iv = os.urandom(12)
        body = json.dumps(payload, separators=(",", ":"), default=str).encode()
        ct = AESGCM(self.key_for(kid)).encrypt(iv, body, kid.encode())
        return Sealed(kid=kid, iv=_b64e(iv), ct=_b64e(ct))

    def open(self, sealed: Sealed | dict[str, Any]) -> dict[str, Any]:
        s = sealed if isinstance(sealed, Sealed) else Sealed.model_validate(sealed)
        try:
            body = AESGCM(self.key_for(s.kid)).decrypt(_b64d(s.iv), _b64d(s.ct), s.kid.encode())
        except Exception as exc:
            raise SealError(f"cannot open data sealed with {s.kid!r}") from exc
        result: dict[str, Any] = json.loads(body)
        return result

    def export_key(self, kid: str) -> str:
        """The derived key, base64url: what an agency is given to open its own requests."""
        return _b64e(self.key_for(kid))


def open_with_key(key_b64: str, sealed: dict[str, Any]) -> dict[str, Any]:
    """For agency systems: open a request's `subject_details` with the agency's key."""
    s = Sealed.model_validate(sealed)
    body = AESGCM(_b64d(key_b64)).decrypt(_b64d(s.iv), _b64d(s.ct), s.kid.encode())
    result: dict[str, Any] = json.loads(body)
    return result
