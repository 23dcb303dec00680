"""Per-agency API tokens: one opens its own agency's requests and no other's."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mash_common.auth import generate_key_pair
from mash_gateway.config import GatewaySettings
from mash_gateway.entrypoints.credentials import AgencyCredentials, hash_token
from mash_schemas.codes import AGENCIES

REAL = {a: f"{a}-0123456789abcdef0123456789abcdef" for a in AGENCIES}
# Production's other secrets, real ones: only the agency credentials are under test here.
SECRETS = {"data_key": "x" * 43, "token_public_key": generate_key_pair()[1]}


def test_a_token_opens_its_own_agency_only() -> None:
    credentials = AgencyCredentials(REAL)
    for agency in AGENCIES:
        for other in AGENCIES:
            assert credentials.verify(other, REAL[agency]) is (other == agency)
        assert not credentials.verify(agency, None) and not credentials.verify(agency, "")
    assert not credentials.verify("fire-service", REAL["police"])


def test_tokens_may_be_kept_hashed() -> None:
    credentials = AgencyCredentials({"police": hash_token("s3cret-token")})
    assert credentials.verify("police", "s3cret-token")
    assert not credentials.verify("police", hash_token("s3cret-token"))


def test_development_tokens_work_outside_production_only() -> None:
    assert GatewaySettings(env="test").credentials().verify("health", "dev-health-token")
    with pytest.raises(ValidationError, match="agency_credentials for"):
        GatewaySettings(env="production", **SECRETS)
    with pytest.raises(ValidationError, match="development tokens"):
        GatewaySettings(env="production", **SECRETS,
                        agency_credentials={**REAL, "police": "dev-police-token"})
    settings = GatewaySettings(env="production", **SECRETS,
                               agency_credentials={a: hash_token(t) for a, t in REAL.items()})
    assert settings.credentials().verify("police", REAL["police"])
    assert not settings.credentials().verify("police", "dev-police-token")
    assert "agency_credentials" not in settings.public()


def test_credentials_for_an_agency_the_hub_does_not_consult_are_refused() -> None:
    with pytest.raises(ValidationError, match="unknown agency: fire"):
        GatewaySettings(agency_credentials={"fire": "t"})
