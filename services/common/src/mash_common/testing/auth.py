"""Staff tokens for tests: what the console would send on a signed-in person's behalf."""

from __future__ import annotations

from ..auth import Role, TokenSigner

# Long-lived: suites mint tokens at import time and a test session outlives five minutes.
_signer = TokenSigner(ttl_s=12 * 3600)


def staff_token(role: str | Role, user: str | None = None, agency: str | None = None) -> str:
    return _signer.mint(user or f"test.{role}", role, agency)


def staff_headers(role: str | Role, user: str | None = None,
                  agency: str | None = None) -> dict[str, str]:
    """{"Authorization": "Bearer <token>"} signed with the development key."""
    return {"Authorization": f"Bearer {staff_token(role, user, agency)}"}
