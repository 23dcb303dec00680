"""Per-agency API credentials for the HTTP route: a bearer token each, kept as its SHA-256.

Tokens are long random strings (not passwords), so one SHA-256 is the right hash at rest; the
comparison is constant-time. A token opens exactly one agency's requests.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

HASH_PREFIX = "sha256:"


def dev_token(agency: str) -> str:
    """The development token of an agency (refused in production)."""
    return f"dev-{agency}-token"


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def hash_token(token: str) -> str:
    """What to put in agency_credentials instead of the token itself."""
    return HASH_PREFIX + hashlib.sha256(token.encode()).hexdigest()


class AgencyCredentials:
    def __init__(self, tokens: Mapping[str, str]) -> None:
        # Stored: the digest only, whichever form the setting gave.
        self._digests = {
            agency: bytes.fromhex(t[len(HASH_PREFIX):]) if t.startswith(HASH_PREFIX)
            else _digest(t)
            for agency, t in tokens.items()
        }

    @staticmethod
    def is_dev_default(agency: str, configured: str) -> bool:
        return configured in (dev_token(agency), hash_token(dev_token(agency)))

    def verify(self, agency: str, token: str | None) -> bool:
        """Does `token` belong to `agency`? False for any other agency's token."""
        expected = self._digests.get(agency)
        if expected is None or not token:
            return False
        return hmac.compare_digest(expected, _digest(token))
