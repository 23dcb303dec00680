"""Every rule on the referral form, with the exact words the referrer reads and the field named."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from mash_intake.domain import form_rules
from mash_intake.service_layer.commands import SubmitContact

TODAY = datetime.now(UTC).date()
VALID_NHS = "9434765919"  # the NHS's own example number


def marf(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contact_source": "2A",
        "referrer": {"kind": "professional", "name": "Jo Class", "agency": "Oak Primary",
                     "role": "Designated safeguarding lead", "email": "jo@oak.example"},
        "parents_aware": True,
        "consent_given": True,
        "consent_given_by": "Mother",
        "consent_covers": "Mother and both children",
        "children": [{"first_name": "Ava", "last_name": "Brook", "date_of_birth": "2017-05-01"}],
        "concern": {"summary": "Came to school hungry three days running", "factors": ["16A"]},
    }
    body.update(overrides)
    return body


def with_child(**fields: Any) -> dict[str, Any]:
    child = {"first_name": "Ava", "last_name": "Brook", "date_of_birth": "2017-05-01", **fields}
    return marf(children=[{k: v for k, v in child.items() if v is not ...}])


def errors(body: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as info:
        SubmitContact.model_validate(copy.deepcopy(body))
    return [(e["loc"], e["msg"]) for e in info.value.errors()]


def test_the_whole_form_is_accepted() -> None:
    form = SubmitContact.model_validate(marf(
        contact_type="advice",
        children=[
            {"first_name": "Ava", "last_name": "Brook", "other_names": "Avie",
             "date_of_birth": "2017-05-01", "gender": "female", "ethnicity": "White British",
             "religion": "None", "first_language": "English", "interpreter_needed": False,
             "nhs_number": "943 476 5919", "address": "1 Oak Road, Olney", "postcode": "mk46 4ad",
             "phone": "01908 123456", "gp": "Olney Medical Centre", "school": "Oak Primary",
             "disability": "None known"},
            {"expected_due_date": (TODAY + timedelta(days=60)).isoformat()},
        ],
        household=[{"name": "Sam Brook", "relationship": "mother", "date_of_birth": "1990-01-02",
                    "address": "1 Oak Road", "postcode": "MK46 4AD",
                    "parental_responsibility": True, "lives_with_child": True}],
        significant_adults=[{"relationship": "mother's partner", "parental_responsibility": False}],
        concern={"summary": "Came to school hungry three days running", "factors": ["16A", "16A"],
                 "happened_on": TODAY.isoformat(), "immediate_risk": False,
                 "referrer_level_of_need": 2},
        early_help={"started_on": "2026-01-05", "completed_on": "2026-02-01",
                    "organisation": "Oak Primary", "summary": "Family support plan"},
    ))
    child = form.children[0]
    assert (child.nhs_number, child.postcode) == (VALID_NHS, "MK46 4AD")
    assert form.children[1].unborn and form.concern.factors == ["16A"]


@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "943-476-5919", "4010232137"])
def test_nhs_numbers_with_a_good_check_digit_pass(number: str) -> None:
    assert form_rules.nhs_number(number) == number.replace(" ", "").replace("-", "")


@pytest.mark.parametrize("number", ["9434765918", "943476591", "94347659190", "94347659AB",
                                    "1000000010"])  # the last has remainder 10: never valid
def test_an_nhs_number_with_a_wrong_check_digit_is_refused(number: str) -> None:
    assert errors(with_child(nhs_number=number)) == [(
        ("children", 0, "nhs_number"),
        "this is not a valid NHS number: it has 10 digits and the last one is a check digit "
        "that does not match (look for a mistyped digit)",
    )]


@pytest.mark.parametrize("code", ["MK9 3EP", "mk93ep", "SW1A 1AA", "EC1A1BB", "W1A 0AX",
                                  "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "GIR 0AA"])
def test_uk_postcodes_pass_and_are_written_the_standard_way(code: str) -> None:
    normal = form_rules.postcode(code)
    assert normal is not None and normal == normal.upper() and normal[-4] == " "


@pytest.mark.parametrize("code", ["MK9", "12345", "MK9 3E", "QK9 3EP", "MK9 3CP", "not known"])
def test_a_postcode_that_is_not_a_uk_one_is_refused(code: str) -> None:
    assert errors(with_child(postcode=code)) == [(
        ("children", 0, "postcode"), "this is not a UK postcode (it should look like MK9 3EP)"
    )]
    assert errors(marf(household=[{"relationship": "father", "postcode": code}])) == [(
        ("household", 0, "postcode"), "this is not a UK postcode (it should look like MK9 3EP)"
    )]


def test_a_date_of_birth_in_the_future_is_refused() -> None:
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    assert errors(with_child(date_of_birth=tomorrow)) == [(
        ("children", 0, "date_of_birth"),
        "the date of birth cannot be in the future (for an unborn child give the due date)",
    )]


def test_an_adult_date_of_birth_is_refused() -> None:
    assert errors(with_child(date_of_birth="1917-05-01")) == [(
        ("children", 0, "date_of_birth"),
        "this date of birth makes the child 18 or over: the MASH takes contacts about children "
        "(check the year)",
    )]


def test_a_due_date_may_be_in_the_future_but_not_implausibly() -> None:
    soon = (TODAY + timedelta(days=100)).isoformat()
    SubmitContact.model_validate(with_child(date_of_birth=..., expected_due_date=soon))
    far = (TODAY + timedelta(days=400)).isoformat()
    assert errors(with_child(date_of_birth=..., expected_due_date=far)) == [(
        ("children", 0, "expected_due_date"),
        "the expected due date is more than ten months away: check the date",
    )]
    past = (TODAY - timedelta(days=60)).isoformat()
    assert errors(with_child(date_of_birth=..., expected_due_date=past)) == [(
        ("children", 0, "expected_due_date"),
        "the expected due date is more than a month ago: if the baby has been born, give the "
        "date of birth instead",
    )]


@pytest.mark.parametrize(("where", "body", "message"), [
    (("concern", "happened_on"),
     lambda d: marf(concern={"summary": "Came to school hungry", "happened_on": d}),
     "the date it happened cannot be in the future"),
    (("household", 0, "date_of_birth"),
     lambda d: marf(household=[{"relationship": "father", "date_of_birth": d}]),
     "a date of birth cannot be in the future"),
    (("early_help", "started_on"), lambda d: marf(early_help={"started_on": d}),
     "the date the assessment started cannot be in the future"),
    (("early_help", "completed_on"), lambda d: marf(early_help={"completed_on": d}),
     "the date the assessment was completed cannot be in the future"),
])
def test_no_other_date_may_be_in_the_future(where: tuple[Any, ...], body: Any,
                                             message: str) -> None:
    assert errors(body((TODAY + timedelta(days=1)).isoformat())) == [(where, message)]


def test_an_assessment_cannot_end_before_it_starts() -> None:
    assert errors(marf(early_help={"started_on": "2026-02-01", "completed_on": "2026-01-01"})) == [
        (("early_help", "completed_on"), "the assessment cannot be completed before it started")
    ]


def test_each_child_needs_a_name_or_nhs_number() -> None:
    assert errors(with_child(first_name=..., last_name=...)) == [(
        ("children", 0, "first_name"),
        "give the child's name or NHS number so the MASH can identify them",
    )]
    SubmitContact.model_validate(with_child(first_name=..., last_name=..., nhs_number=VALID_NHS))


def test_an_unborn_child_needs_no_name() -> None:
    due = (TODAY + timedelta(days=30)).isoformat()
    SubmitContact.model_validate(marf(children=[{"expected_due_date": due}]))


def test_each_child_needs_a_date_of_birth_or_due_date_but_not_both() -> None:
    assert errors(with_child(date_of_birth=...)) == [(
        ("children", 0, "date_of_birth"),
        "give the child's date of birth, or the expected due date for an unborn child",
    )]
    due = (TODAY + timedelta(days=30)).isoformat()
    assert errors(with_child(expected_due_date=due)) == [(
        ("children", 0, "expected_due_date"),
        "give a date of birth or an expected due date, not both",
    )]


def test_the_second_child_is_named_by_its_place() -> None:
    body = marf(children=[{"first_name": "Ava", "date_of_birth": "2017-05-01"},
                          {"first_name": "Leo"}])
    assert [loc for loc, _ in errors(body)] == [("children", 1, "date_of_birth")]


def test_parents_not_told_needs_a_reason() -> None:
    assert errors(marf(parents_aware=False)) == [(
        ("parents_not_aware_reason",),
        "say why the parents or carers do not know about this contact",
    )]
    SubmitContact.model_validate(marf(parents_aware=False,
                                      parents_not_aware_reason="Telling them could put Ava at "
                                                               "risk"))


def test_consent_needs_who_gave_it_and_whose_information_it_covers() -> None:
    assert errors(marf(consent_given_by=None, consent_covers=None)) == [
        (("consent_given_by",), "say who gave consent, for example the child's mother"),
        (("consent_covers",),
         "say whose information the consent covers, for example the mother and both children"),
    ]


@pytest.mark.parametrize("consent", [False, None])
def test_sharing_without_consent_needs_a_reason(consent: bool | None) -> None:
    assert errors(marf(consent_given=consent)) == [(
        ("consent_not_sought_reason",),
        "say why information is shared without consent, for example that the child may be at "
        "risk of significant harm",
    )]


def test_the_contact_source_is_a_cin_code() -> None:
    assert errors(marf(contact_source="2Z")) == [(
        ("contact_source",),
        "contact source must be a CIN code from 1A to 10, for example 2A for a school",
    )]


def test_anonymous_and_source_9_go_together() -> None:
    anonymous = {"kind": "anonymous"}
    assert errors(marf(referrer=anonymous, consent_given=None,
                       consent_not_sought_reason="Anonymous caller")) == [(
        ("contact_source",), "an anonymous referral has contact source 9 (anonymous)")]
    assert errors(marf(contact_source="9")) == [(
        ("contact_source",),
        "contact source 9 is for anonymous referrals: choose the code for who you are")]


def test_concern_factors_are_cin_codes() -> None:
    assert errors(marf(concern={"summary": "Came to school hungry", "factors": ["16A", "99"]})) == [
        (("concern", "factors"),
         "unknown concern factor code(s) 99: use the Children in Need factor codes, for example "
         "16A for neglect")]


def test_advice_is_not_for_a_child_at_immediate_risk() -> None:
    body = marf(contact_type="advice",
                concern={"summary": "Came to school hungry", "immediate_risk": True})
    assert errors(body) == [(
        ("contact_type",), "a child at immediate risk is a concern, not a request for advice")]


def test_a_professional_referrer_says_who_they_are_and_how_to_reach_them() -> None:
    assert errors(marf(referrer={"kind": "professional"})) == [
        (("referrer", "name"), "a professional referrer must give their name"),
        (("referrer", "agency"), "give the agency or organisation you work for"),
        (("referrer", "phone"),
         "give a phone number or an email address so the MASH can reach you"),
    ]


def test_an_anonymous_referrer_carries_no_name_or_contact() -> None:
    body = marf(referrer={"kind": "anonymous", "name": "Pat", "phone": "01908 123456"},
                contact_source="9", consent_given=None, consent_not_sought_reason="Anonymous")
    assert errors(body) == [
        (("referrer", "name"), "an anonymous referral cannot carry the referrer's name: leave "
                               "it out, or choose 'public'"),
        (("referrer", "phone"), "an anonymous referral cannot carry the referrer's phone: leave "
                                "it out, or choose 'public'"),
    ]


def test_phone_numbers_and_emails_have_their_shape() -> None:
    assert errors(marf(referrer={"kind": "public", "phone": "12345"})) == [(
        ("referrer", "phone"), "give a phone number of 10 to 15 digits, for example 01908 123456")]
    assert errors(marf(referrer={"kind": "public", "email": "jo.example.org"})) == [(
        ("referrer", "email"),
        "this is not an email address (it should look like name@example.org)")]


def test_a_household_member_needs_a_relationship() -> None:
    assert [loc for loc, _ in errors(marf(household=[{"name": "Sam"}]))] == [
        ("household", 0, "relationship")]


def test_fields_the_form_does_not_have_are_refused() -> None:
    assert [loc for loc, _ in errors(marf(favourite_colour="blue"))] == [("favourite_colour",)]


def test_every_problem_is_reported_at_once_fields_and_form_rules_together() -> None:
    body = marf(parents_aware=False, consent_given=None,
                children=[{"first_name": "Ava", "date_of_birth": "2017-05-01",
                           "nhs_number": "9434765918"}])
    assert [loc for loc, _ in errors(body)] == [
        ("children", 0, "nhs_number"), ("parents_not_aware_reason",),
        ("consent_not_sought_reason",)]
