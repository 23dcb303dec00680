"""Staff tokens: what the console signs and every service verifies (mash_common.auth)."""

from __future__ import annotations

import time
from types import SimpleNamespace

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI
from pydantic import ValidationError

from mash_common import auth
from mash_common.auth import (
    CAN,
    DEV_TOKEN_PRIVATE_KEY,
    DEV_TOKEN_PUBLIC_KEY,
    Caller,
    InvalidToken,
    Role,
    TokenSigner,
    TokenVerifier,
    generate_key_pair,
    require,
)
from mash_common.settings import ServiceSettings
from mash_common.testing.auth import staff_headers

VERIFIER = TokenVerifier()
REAL_DATA_KEY = "cHJvZHVjdGlvbi1rZXktZm9yLXRoZS10ZXN0cy0wMDAwMDAwMDA"


def test_a_token_round_trips_who_their_role_and_their_agency() -> None:
    token = TokenSigner().mint("staff:pc-1", Role.AGENCY_PRACTITIONER, "police", "PC Rivers")
    assert VERIFIER.verify(token) == Caller(
        user="staff:pc-1", role="agency-practitioner", agency="police", name="PC Rivers")
    staff = VERIFIER.verify(TokenSigner().mint("staff:dm-1", "decision-maker"))
    assert (staff.role, staff.agency, staff.name) == ("decision-maker", None, None)


def test_an_expired_token_is_refused_after_the_leeway_only() -> None:
    def minted(seconds_ago: float) -> str:
        return TokenSigner(ttl_s=60, clock=lambda: time.time() - seconds_ago).mint(
            "staff:dm-1", Role.DECISION_MAKER)

    assert VERIFIER.verify(minted(65)).user == "staff:dm-1"  # 5 s past: within the leeway
    with pytest.raises(InvalidToken, match="expired"):
        VERIFIER.verify(minted(3600))


def test_a_token_signed_by_another_key_is_refused() -> None:
    other_private, other_public = generate_key_pair()
    token = TokenSigner(other_private).mint("staff:dm-1", Role.DECISION_MAKER)
    with pytest.raises(InvalidToken, match="[Ss]ignature"):
        VERIFIER.verify(token)
    # ...and the services configured with that key accept it, and refuse the dev key's.
    assert TokenVerifier(other_public).verify(token).user == "staff:dm-1"
    with pytest.raises(InvalidToken):
        TokenVerifier(other_public).verify(TokenSigner().mint("x", Role.AUDITOR))


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(InvalidToken, match="unknown role 'superuser'"):
        VERIFIER.verify(TokenSigner().mint("staff:x", "superuser"))
    with pytest.raises(InvalidToken, match="unknown role"):  # the walking skeleton's spelling
        VERIFIER.verify(TokenSigner().mint("staff:x", "mash_manager"))


def test_an_agency_practitioner_must_name_their_agency() -> None:
    with pytest.raises(InvalidToken, match="must name the agency"):
        VERIFIER.verify(TokenSigner().mint("staff:pc-1", Role.AGENCY_PRACTITIONER))


@pytest.mark.parametrize("change", ["issuer", "audience", "no expiry", "alg none", "HS256"])
def test_tokens_not_made_the_consoles_way_are_refused(change: str) -> None:
    now = int(time.time())
    claims = {"iss": auth.ISSUER, "aud": auth.AUDIENCE, "sub": "staff:x", "role": "auditor",
              "iat": now, "exp": now + 60}
    key = TokenSigner()._key
    if change == "issuer":
        token = jwt.encode({**claims, "iss": "someone-else"}, key, algorithm="EdDSA")
    elif change == "audience":
        token = jwt.encode({**claims, "aud": "another-system"}, key, algorithm="EdDSA")
    elif change == "no expiry":
        token = jwt.encode({k: v for k, v in claims.items() if k != "exp"}, key,
                           algorithm="EdDSA")
    elif change == "alg none":
        token = jwt.encode(claims, None, algorithm="none")
    else:  # the public key (known to everyone) used as an HMAC secret
        token = jwt.encode(claims, DEV_TOKEN_PUBLIC_KEY.encode() * 2, algorithm="HS256")
    with pytest.raises(InvalidToken):
        VERIFIER.verify(token)
    with pytest.raises(InvalidToken):
        VERIFIER.verify("not a token at all")


def test_production_refuses_the_development_public_key() -> None:
    with pytest.raises(ValidationError, match="MASH_TOKEN_PUBLIC_KEY is the development key"):
        ServiceSettings(env="production", data_key=REAL_DATA_KEY)  # type: ignore[arg-type]
    _, public = generate_key_pair()
    settings = ServiceSettings(env="production", data_key=REAL_DATA_KEY,  # type: ignore[arg-type]
                               token_public_key=public)
    assert settings.token_public_key == public
    assert ServiceSettings(env="development").token_public_key == DEV_TOKEN_PUBLIC_KEY


def test_the_capability_table_names_real_roles_and_require_knows_it() -> None:
    assert all(roles and roles <= set(Role) for roles in CAN.values())
    with pytest.raises(KeyError, match="unknown capability"):
        require("launch-missiles")
    guard = require("decide")
    assert guard.__name__ == "require_decide" and guard.capability == "decide"  # type: ignore[attr-defined]
    # Nobody both reads the audit log and changes a case; administrators see no case record.
    assert Role.AUDITOR not in CAN["decide"] | CAN["screen"] | CAN["rate"]
    assert Role.ADMINISTRATOR not in CAN["read-picture"] | CAN["read-contact"]


def app_with(capability: str, public_key: str = DEV_TOKEN_PUBLIC_KEY) -> FastAPI:
    app = FastAPI()
    app.state.runtime = SimpleNamespace(settings=SimpleNamespace(token_public_key=public_key))

    guard = require(capability)

    @app.get("/thing")
    async def thing(caller: Caller = Depends(guard)) -> dict[str, str]:
        return {"user": caller.user, "role": caller.role}

    return app


async def get(app: FastAPI, headers: dict[str, str] | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get("/thing", headers=headers)


async def test_require_gives_the_verified_caller_or_401_or_403() -> None:
    app = app_with("rate")
    ok = await get(app, staff_headers(Role.MASH_MANAGER, "staff:mgr-1"))
    assert ok.status_code == 200 and ok.json() == {"user": "staff:mgr-1", "role": "mash-manager"}
    wrong_role = await get(app, staff_headers(Role.DECISION_MAKER))
    assert wrong_role.status_code == 403 and "rate needs one of: mash-manager" in wrong_role.text
    none = await get(app)
    assert none.status_code == 401 and none.headers["www-authenticate"] == "Bearer"
    other_private, _ = generate_key_pair()
    forged = {"Authorization": f"Bearer {TokenSigner(other_private).mint('x', 'mash-manager')}"}
    assert (await get(app, forged)).status_code == 401
    basic = {"Authorization": "Basic dXNlcjpwYXNz"}
    assert (await get(app, basic)).status_code == 401
    # A service configured with the production key refuses a development token.
    _, public = generate_key_pair()
    assert (await get(app_with("rate", public), staff_headers(Role.MASH_MANAGER))).status_code \
        == 401


def test_mash_token_mints_a_token_the_services_accept(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MASH_CONSOLE_TOKEN_PRIVATE_KEY", raising=False)
    auth.main(["--role", "agency-practitioner", "--user", "staff:pc-9", "--agency", "police"])
    caller = VERIFIER.verify(capsys.readouterr().out.strip())
    assert (caller.user, caller.role, caller.agency) == ("staff:pc-9", "agency-practitioner",
                                                         "police")

    auth.main(["--new-key-pair"])
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    private, public = lines["MASH_CONSOLE_TOKEN_PRIVATE_KEY"], lines["MASH_TOKEN_PUBLIC_KEY"]
    assert private != DEV_TOKEN_PRIVATE_KEY
    monkeypatch.setenv("MASH_CONSOLE_TOKEN_PRIVATE_KEY", private)
    auth.main(["--role", "auditor"])
    token = capsys.readouterr().out.strip()
    assert TokenVerifier(public).verify(token).role == "auditor"
    with pytest.raises(InvalidToken):
        VERIFIER.verify(token)
