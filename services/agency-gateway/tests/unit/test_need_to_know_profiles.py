"""Need to know: each agency is sent its profile's fields of the child, and nothing else."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from mash_gateway.config import GatewaySettings
from mash_gateway.domain.profiles import NeedToKnowProfiles, pick

NEED_TO_KNOW = {
    "child": {
        "first_name": "Ava",
        "last_name": "Brook",
        "date_of_birth": "2017-05-01",
        "expected_due_date": None,
        "gender": "female",
        "nhs_number": "9434765919",
        "address": "1 Elm Row, Milton Keynes",
        "postcode": "MK9 1AA",
        "school": "Oak Primary",
        "gp": "Elm Surgery",
    },
    "concern": {"summary": "Came to school hungry three days running"},
    "referrer": {"name": "Jo Class"},
}
NAMES_AND_DOB = {"first_name": "Ava", "last_name": "Brook", "date_of_birth": "2017-05-01"}


def test_every_agency_gets_the_childs_names_and_date_of_birth() -> None:
    details = NeedToKnowProfiles().subject_details("probation", NEED_TO_KNOW)
    assert details == {"child": NAMES_AND_DOB}


@pytest.mark.parametrize(
    ("agency", "extra"),
    [
        ("police", {"address": "1 Elm Row, Milton Keynes", "postcode": "MK9 1AA"}),
        ("health", {"nhs_number": "9434765919", "gp": "Elm Surgery"}),
        ("education", {"school": "Oak Primary"}),
        ("housing", {}),
    ],
)
def test_some_agencies_are_also_sent_their_own_fields(agency: str, extra: dict[str, str]) -> None:
    details = NeedToKnowProfiles().subject_details(agency, NEED_TO_KNOW)
    assert details == {"child": {**NAMES_AND_DOB, **extra}}


def test_the_concern_and_the_referrer_never_leave_the_hub() -> None:
    for agency in ("police", "health", "education", "camhs"):
        text = json.dumps(NeedToKnowProfiles().subject_details(agency, NEED_TO_KNOW))
        assert "hungry" not in text and "Jo Class" not in text and "female" not in text


def test_an_unborn_child_is_sent_the_due_date_instead() -> None:
    unborn = {"child": {"last_name": "Brook", "expected_due_date": "2026-12-01"}}
    assert NeedToKnowProfiles().subject_details("education", unborn) == unborn


def test_fields_the_contact_lacks_are_left_out_and_nesting_is_kept() -> None:
    record = {"child": {"first_name": "Ava", "school": ""}, "household": [{"name": "x"}]}
    assert pick(record, ["child.first_name", "child.school", "child.gp", "household.name",
                         "nothing.here"]) == {"child": {"first_name": "Ava"}}


def test_profiles_are_configuration() -> None:
    settings = GatewaySettings(
        need_to_know_default=["child.first_name"],
        need_to_know_extra={"police": ["child.postcode"]},
    )
    profiles = settings.profiles()
    assert profiles.fields_for("police") == ("child.first_name", "child.postcode")
    assert profiles.fields_for("health") == ("child.first_name",)


def test_profiles_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASH_AGENCY_GATEWAY_NEED_TO_KNOW_EXTRA", '{"camhs": ["child.gp"]}')
    assert GatewaySettings().profiles().fields_for("camhs")[-1] == "child.gp"


def test_a_profile_for_an_agency_the_hub_does_not_consult_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown agency: fire"):
        GatewaySettings(need_to_know_extra={"fire": ["child.address"]})
