"""Need to know: each agency is sent its profile's fields of the child, and nothing else."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from mash_gateway.config import AgencyConfig, GatewaySettings
from mash_gateway.domain.profiles import NeedToKnowProfiles, field_paths, pick
from mash_schemas.codes import AGENCIES

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
    "household": [
        {"name": "Dee Brook", "date_of_birth": "1990-02-03", "relationship": "mother",
         "address": "1 Elm Row, Milton Keynes", "postcode": "MK9 1AA", "phone": "0700"},
        {"name": "Rob Stone", "date_of_birth": "1988-07-09", "relationship": "mother's partner",
         "address": "4 Oak Lane", "postcode": "MK9 2BB", "phone": "0711"},
    ],
    "significant_adults": [
        {"name": "Pat Brook", "date_of_birth": "1960-01-01", "relationship": "grandmother",
         "address": "9 Ash Close", "postcode": "MK9 3CC", "phone": "0722"},
    ],
    "concern": {"summary": "Came to school hungry three days running"},
    "referrer": {"name": "Jo Class"},
}
NAMES_AND_DOB = {"first_name": "Ava", "last_name": "Brook", "date_of_birth": "2017-05-01"}


def test_every_agency_gets_the_childs_names_and_date_of_birth() -> None:
    for agency in AGENCIES:
        details = NeedToKnowProfiles().subject_details(agency, NEED_TO_KNOW)
        assert NAMES_AND_DOB.items() <= details["child"].items()
    probation = NeedToKnowProfiles().subject_details("probation", NEED_TO_KNOW)
    assert probation["child"] == NAMES_AND_DOB


@pytest.mark.parametrize(
    ("agency", "extra"),
    [
        ("health", {"nhs_number": "9434765919", "gp": "Elm Surgery"}),
        ("education", {"school": "Oak Primary"}),
        ("housing", {"address": "1 Elm Row, Milton Keynes", "postcode": "MK9 1AA"}),
    ],
)
def test_some_agencies_are_also_sent_their_own_fields(agency: str, extra: dict[str, str]) -> None:
    details = NeedToKnowProfiles().subject_details(agency, NEED_TO_KNOW)
    assert details == {"child": {**NAMES_AND_DOB, **extra}}


def test_police_are_also_sent_the_household_adults_and_addresses() -> None:
    details = NeedToKnowProfiles().subject_details("police", NEED_TO_KNOW)
    assert details["child"] == {**NAMES_AND_DOB, "address": "1 Elm Row, Milton Keynes",
                                "postcode": "MK9 1AA"}
    assert details["household"] == [
        {k: v for k, v in adult.items() if k != "phone"} for adult in NEED_TO_KNOW["household"]
    ]


@pytest.mark.parametrize("agency", AGENCIES)
def test_every_agency_is_sent_exactly_its_profiles_fields(agency: str) -> None:
    profiles = GatewaySettings().profiles()
    details = profiles.subject_details(agency, NEED_TO_KNOW)
    assert field_paths(details) == set(profiles.fields_for(agency)) - {"child.expected_due_date"}


def test_the_concern_and_the_referrer_never_leave_the_hub() -> None:
    for agency in ("police", "health", "education", "camhs"):
        text = json.dumps(NeedToKnowProfiles().subject_details(agency, NEED_TO_KNOW))
        assert "hungry" not in text and "Jo Class" not in text and "female" not in text


def test_an_unborn_child_is_sent_the_due_date_instead() -> None:
    unborn = {"child": {"last_name": "Brook", "expected_due_date": "2026-12-01"}}
    assert NeedToKnowProfiles().subject_details("education", unborn) == unborn


def test_fields_the_contact_lacks_are_left_out_and_nesting_is_kept() -> None:
    record = {"child": {"first_name": "Ava", "school": ""},
              "household": [{"name": "x", "phone": "1"}, {"phone": "2"}]}
    assert pick(record, ["child.first_name", "child.school", "child.gp", "household.name",
                         "child.first_name.deeper", "nothing.here"]) == {
        "child": {"first_name": "Ava"}, "household": [{"name": "x"}]}


def test_profiles_are_configuration() -> None:
    settings = GatewaySettings(
        need_to_know_default=["child.first_name"],
        agencies={"police": AgencyConfig(need_to_know=["child.postcode"]),
                  "health": AgencyConfig()},
    )
    profiles = settings.profiles()
    assert profiles.fields_for("police") == ("child.first_name", "child.postcode")
    assert profiles.fields_for("health") == ("child.first_name",)


def test_the_nine_agencies_are_the_default_configuration() -> None:
    assert list(GatewaySettings().agencies) == list(AGENCIES)


def test_a_tenth_agency_is_one_configuration_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "MASH_AGENCY_GATEWAY_AGENCIES",
        '{"police": {"need_to_know": ["child.address"]}, '
        '"fire-service": {"need_to_know": ["child.address"], "reminder_fraction": 0.5}}',
    )
    settings = GatewaySettings()
    assert list(settings.agencies) == ["police", "fire-service"]
    assert settings.profiles().fields_for("fire-service")[-1] == "child.address"
    assert settings.credentials().verify("fire-service", "dev-fire-service-token")


def test_a_list_of_names_takes_the_default_profiles() -> None:
    settings = GatewaySettings(agencies=["health", "education"])
    assert settings.profiles().fields_for("health")[-2:] == ("child.nhs_number", "child.gp")
    assert "police" not in settings.agencies


def test_an_unknown_profile_field_is_refused() -> None:
    with pytest.raises(ValidationError, match="extra"):
        GatewaySettings(agencies={"police": {"need_to_know": [], "shoe_size": 9}})
