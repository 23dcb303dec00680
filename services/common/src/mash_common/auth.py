"""Who is calling, proved: staff tokens the console signs and every service verifies itself.

The console signs a short-lived token (a JWT, EdDSA over Ed25519) for each call it makes on a
signed-in person's behalf: who they are, their role and, for agency staff, their agency. The
services hold only the public key, so a service that is compromised cannot mint tokens, and a
request that did not come through a signed-in session is refused by the service itself, not only
by the console.

The development key pair is derived from a fixed seed so that `make run` and the tests work
without set-up; settings refuse it in production (see ServiceSettings).
"""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mash_schemas.roles import CAN, STAFF_CASEWORK, Role, allowed

__all__ = [
    "CAN",
    "STAFF_CASEWORK",
    "Caller",
    "InvalidToken",
    "Role",
    "TokenSigner",
    "TokenVerifier",
    "allowed",
    "require",
]

ISSUER = "mash-console"
AUDIENCE = "mash"
ALGORITHM = "EdDSA"
DEFAULT_TTL_S = 300


@dataclass(frozen=True)
class Caller:
    user: str
    role: str
    agency: str | None = None
    name: str | None = None  # display name; never logged


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not signed by the console's key."""


def _dev_private_key() -> Ed25519PrivateKey:
    seed = hashlib.sha256(b"mash development-only staff token key").digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def private_key_text(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


DEV_TOKEN_PRIVATE_KEY = private_key_text(_dev_private_key())
DEV_TOKEN_PUBLIC_KEY = public_key_text(_dev_private_key().public_key())


def generate_key_pair() -> tuple[str, str]:
    """A fresh (private, public) pair, base64url of the raw 32-byte keys."""
    key = Ed25519PrivateKey.generate()
    return private_key_text(key), public_key_text(key.public_key())


class TokenSigner:
    """Held by the console only."""

    def __init__(
        self,
        private_key: str = DEV_TOKEN_PRIVATE_KEY,
        ttl_s: int = DEFAULT_TTL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(_b64(private_key))
        self._ttl_s = ttl_s
        self._clock = clock

    def mint(
        self, user: str, role: str | Role, agency: str | None = None, name: str | None = None
    ) -> str:
        now = int(self._clock())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": user,
            "role": str(role),
            "iat": now,
            "nbf": now - 5,
            "exp": now + self._ttl_s,
            "jti": uuid.uuid4().hex,
        }
        if agency:
            claims["agency"] = agency
        if name:
            claims["name"] = name
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def headers(self, caller: Caller) -> dict[str, str]:
        token = self.mint(caller.user, caller.role, caller.agency, caller.name)
        return {"Authorization": f"Bearer {token}"}


class TokenVerifier:
    """Held by every service: the console's public key only."""

    def __init__(self, public_key: str = DEV_TOKEN_PUBLIC_KEY, leeway_s: int = 10) -> None:
        self._key = Ed25519PublicKey.from_public_bytes(_b64(public_key))
        self._leeway_s = leeway_s

    def verify(self, token: str) -> Caller:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=self._leeway_s,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        role = claims.get("role")
        if role not in {r.value for r in Role}:
            raise InvalidToken(f"unknown role {role!r}")
        agency = claims.get("agency")
        if role == Role.AGENCY_PRACTITIONER and not agency:
            raise InvalidToken("an agency practitioner's token must name the agency")
        return Caller(user=str(claims["sub"]), role=role, agency=agency, name=claims.get("name"))


# --- FastAPI side -------------------------------------------------------------------------

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="StaffToken",
    description="A staff token signed by the console (EdDSA JWT): who, their role and, for "
    "agency staff, their agency. `mash-token` mints one for development.",
)


def token_verifier(request: Request) -> TokenVerifier:
    """The app's verifier, built once from the service's settings (the console's public key)."""
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        settings = request.app.state.runtime.settings
        verifier = TokenVerifier(settings.token_public_key)
        request.app.state.token_verifier = verifier
    return verifier


def caller_from_request(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Caller:
    if credentials is None:
        raise HTTPException(
            401,
            "a staff token is required (Authorization: Bearer)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        return token_verifier(request).verify(credentials.credentials)
    except InvalidToken as exc:
        raise HTTPException(
            401, f"the staff token was refused: {exc}", headers={"WWW-Authenticate": "Bearer"}
        ) from exc


def require(capability: str) -> Callable[..., Caller]:
    """A dependency: the verified caller, or 401 (no or bad token) / 403 (wrong role)."""
    if capability not in CAN:
        raise KeyError(f"unknown capability {capability!r}")

    def check(caller: Annotated[Caller, Depends(caller_from_request)]) -> Caller:
        if not allowed(caller.role, capability):
            roles = ", ".join(sorted(CAN[capability]))
            raise HTTPException(403, f"{capability} needs one of: {roles}")
        return caller

    check.__name__ = f"require_{capability.replace('-', '_')}"
    check.capability = capability  # type: ignore[attr-defined]  # read by the role tests
    return check


def roles_for(capability: str) -> Iterable[Role]:
    return sorted(CAN[capability])


CallerDep = Annotated[Caller, Depends(caller_from_request)]


def main(argv: list[str] | None = None) -> None:
    """`mash-token`: mint a development staff token, or make a key pair for production."""
    import argparse
    import os

    parser = argparse.ArgumentParser(prog="mash-token", description=main.__doc__)
    parser.add_argument("--user", default="dev.user")
    parser.add_argument("--role", choices=[r.value for r in Role], default="mash-manager")
    parser.add_argument("--agency")
    parser.add_argument("--ttl", type=int, default=3600, help="seconds (default 3600)")
    parser.add_argument(
        "--new-key-pair",
        action="store_true",
        help="print a fresh MASH_TOKEN_PRIVATE_KEY / MASH_TOKEN_PUBLIC_KEY",
    )
    args = parser.parse_args(argv)
    if args.new_key_pair:
        private, public = generate_key_pair()
        print(f"MASH_CONSOLE_TOKEN_PRIVATE_KEY={private}\nMASH_TOKEN_PUBLIC_KEY={public}")
        return
    key = os.environ.get("MASH_CONSOLE_TOKEN_PRIVATE_KEY", DEV_TOKEN_PRIVATE_KEY)
    print(TokenSigner(key, ttl_s=args.ttl).mint(args.user, args.role, args.agency))


if __name__ == "__main__":
    main()
