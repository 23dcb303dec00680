"""The Multi Agency Referral Form as a command, with the checks a caseworker would trust.

Every message here is what a referrer reads on a 422: its `loc` names the field and the message
says, in plain words, what to put right. Rules that compare two fields raise a `ValidationError`
located at the field to correct (not at the whole form), and report every problem at once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from mash_schemas.codes import CIN_FACTORS, CONTACT_SOURCES, Channel, ContactType, ReferrerKind

from ..domain import form_rules

Problem = tuple[str, str]  # (field, message for the referrer)


def _today() -> date:
    return datetime.now(UTC).date()


def _invalid(message: str, kind: str = "marf") -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _raise(model: type[BaseModel], problems: list[Problem]) -> None:
    """Report each problem at its own field (the loc nests under the model's own place)."""
    if problems:
        raise ValidationError.from_exception_data(
            model.__name__,
            [
                InitErrorDetails(type=_invalid(message), loc=(field,), input=None)
                for field, message in problems
            ],
        )


def _check_postcode(v: str | None) -> str | None:
    if v is None or not v.strip():
        return None
    normal = form_rules.postcode(v)
    if normal is None:
        raise _invalid("this is not a UK postcode (it should look like MK9 3EP)")
    return normal


def _check_phone(v: str | None) -> str | None:
    if v is None or not v.strip():
        return None
    normal = form_rules.phone(v)
    if normal is None:
        raise _invalid("give a phone number of 10 to 15 digits, for example 01908 123456")
    return normal


def _not_future(v: date | None, what: str) -> date | None:
    if v is not None and (problem := form_rules.past_date_problem(v, _today(), what)):
        raise _invalid(problem)
    return v


Text = str | None


class Referrer(BaseModel):
    """Who raised the concern: a professional, a member of the public, or anonymous."""

    model_config = ConfigDict(extra="forbid")

    kind: ReferrerKind = Field(description="professional, public or anonymous")
    name: Text = Field(None, max_length=200)
    role: Text = Field(None, max_length=200, description="For professionals: their job")
    agency: Text = Field(None, max_length=200, description="For professionals: their agency")
    relationship_to_child: Text = Field(
        None, max_length=200, description="For members of the public, e.g. neighbour, aunt"
    )
    email: Text = Field(None, max_length=320)
    phone: Text = Field(None, max_length=40)

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v and "@" not in v.strip(" @")[1:-1]:
            raise _invalid("this is not an email address (it should look like name@example.org)")
        return v or None

    _phone = field_validator("phone")(classmethod(lambda cls, v: _check_phone(v)))

    @model_validator(mode="after")
    def _who(self) -> Referrer:
        problems: list[Problem] = []
        if self.kind == "professional":
            if not self.name:
                problems.append(("name", "a professional referrer must give their name"))
            if not self.agency:
                problems.append(("agency", "give the agency or organisation you work for"))
            if not (self.phone or self.email):
                problems.append(
                    ("phone", "give a phone number or an email address so the MASH can reach you")
                )
        if self.kind == "anonymous":
            for field in ("name", "email", "phone"):
                if getattr(self, field):
                    problems.append(
                        (field, "an anonymous referral cannot carry the referrer's "
                                f"{field}: leave it out, or choose 'public'")
                    )
        _raise(type(self), problems)
        return self


class Child(BaseModel):
    """One child (or unborn child) the contact is about."""

    model_config = ConfigDict(extra="forbid")

    first_name: Text = Field(None, max_length=100)
    last_name: Text = Field(None, max_length=100)
    other_names: Text = Field(None, max_length=200, description="Known as, previous names")
    date_of_birth: date | None = None
    expected_due_date: date | None = Field(None, description="For an unborn child")
    gender: Literal["female", "male", "other", "unknown"] = "unknown"
    ethnicity: Text = Field(None, max_length=100)
    religion: Text = Field(None, max_length=100)
    first_language: Text = Field(None, max_length=100)
    interpreter_needed: bool | None = None
    nhs_number: Text = Field(None, description="10 digits; spaces allowed (943 476 5919)")
    address: Text = Field(None, max_length=500)
    postcode: Text = Field(None, max_length=10)
    phone: Text = Field(None, max_length=40)
    gp: Text = Field(None, max_length=200, description="GP practice")
    school: Text = Field(None, max_length=200, description="School or nursery")
    disability: Text = Field(None, max_length=500, description="Any disability, in words")

    @field_validator("nhs_number")
    @classmethod
    def _nhs(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        normal = form_rules.nhs_number(v)
        if normal is None:
            raise _invalid(
                "this is not a valid NHS number: it has 10 digits and the last one is a check "
                "digit that does not match (look for a mistyped digit)"
            )
        return normal

    _postcode = field_validator("postcode")(classmethod(lambda cls, v: _check_postcode(v)))
    _phone = field_validator("phone")(classmethod(lambda cls, v: _check_phone(v)))

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, v: date | None) -> date | None:
        if v is not None and (problem := form_rules.birth_date_problem(v, _today())):
            raise _invalid(problem)
        return v

    @field_validator("expected_due_date")
    @classmethod
    def _due(cls, v: date | None) -> date | None:
        if v is not None and (problem := form_rules.due_date_problem(v, _today())):
            raise _invalid(problem)
        return v

    @property
    def unborn(self) -> bool:
        return self.expected_due_date is not None and self.date_of_birth is None

    @model_validator(mode="after")
    def _identifiable(self) -> Child:
        problems: list[Problem] = []
        if self.date_of_birth is None and self.expected_due_date is None:
            problems.append(
                ("date_of_birth",
                 "give the child's date of birth, or the expected due date for an unborn child")
            )
        if self.date_of_birth is not None and self.expected_due_date is not None:
            problems.append(
                ("expected_due_date",
                 "give a date of birth or an expected due date, not both")
            )
        if not (self.nhs_number or self.first_name or self.last_name or self.unborn):
            problems.append(
                ("first_name",
                 "give the child's name or NHS number so the MASH can identify them")
            )
        _raise(type(self), problems)
        return self


class Person(BaseModel):
    """A household member or significant adult."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(None, max_length=200)
    relationship: str = Field(
        min_length=1, max_length=100, description="To the child: mother, stepfather, lodger..."
    )
    date_of_birth: date | None = None
    address: Text = Field(None, max_length=500)
    postcode: Text = Field(None, max_length=10)
    phone: Text = Field(None, max_length=40)
    parental_responsibility: bool | None = None
    lives_with_child: bool | None = None

    _postcode = field_validator("postcode")(classmethod(lambda cls, v: _check_postcode(v)))
    _phone = field_validator("phone")(classmethod(lambda cls, v: _check_phone(v)))

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, v: date | None) -> date | None:
        return _not_future(v, "a date of birth")


class Concern(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: str = Field(min_length=10, max_length=20_000, description="What happened")
    happened_on: date | None = Field(None, description="When it happened")
    factors: list[str] = Field(default_factory=list, description="CIN factor codes")
    immediate_risk: bool = False
    referrer_level_of_need: int | None = Field(
        None, ge=1, le=5, description="The referrer's view of the level of need"
    )

    @field_validator("happened_on")
    @classmethod
    def _when(cls, v: date | None) -> date | None:
        return _not_future(v, "the date it happened")

    @field_validator("factors")
    @classmethod
    def _known_factors(cls, v: list[str]) -> list[str]:
        unknown = [f for f in v if f not in CIN_FACTORS]
        if unknown:
            raise _invalid(
                f"unknown concern factor code(s) {', '.join(unknown)}: use the Children in Need "
                "factor codes, for example 16A for neglect"
            )
        return list(dict.fromkeys(v))


class EarlyHelpAssessment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    started_on: date | None = None
    completed_on: date | None = None
    organisation: Text = Field(None, max_length=200, description="Who completed it")
    summary: Text = Field(None, max_length=20_000)

    @field_validator("started_on")
    @classmethod
    def _start(cls, v: date | None) -> date | None:
        return _not_future(v, "the date the assessment started")

    @field_validator("completed_on")
    @classmethod
    def _end(cls, v: date | None) -> date | None:
        return _not_future(v, "the date the assessment was completed")

    @model_validator(mode="after")
    def _order(self) -> EarlyHelpAssessment:
        if self.started_on and self.completed_on and self.completed_on < self.started_on:
            _raise(type(self), [("completed_on",
                                 "the assessment cannot be completed before it started")])
        return self


class SubmitContact(BaseModel):
    """POST /v1/contacts: one contact about one or more children."""

    model_config = ConfigDict(extra="forbid")

    contact_type: ContactType = Field("concern", description="concern, or advice / support")
    contact_source: str = Field(description="CIN contact source code, 1A to 10")
    channel: Channel = "web"
    referrer: Referrer
    parents_aware: bool = Field(description="Do the parents or carers know about this contact?")
    parents_not_aware_reason: Text = Field(None, max_length=2000)
    consent_given: bool | None = Field(None, description="Consent to share information")
    consent_given_by: Text = Field(None, max_length=200, description="Who gave consent")
    consent_covers: Text = Field(None, max_length=500, description="Whose information it covers")
    consent_not_sought_reason: Text = Field(None, max_length=2000)
    children: list[Child] = Field(min_length=1, max_length=20)
    household: list[Person] = Field(default_factory=list, max_length=30)
    significant_adults: list[Person] = Field(default_factory=list, max_length=30)
    concern: Concern
    early_help: EarlyHelpAssessment | None = None
    follows_phone_contact: Text = Field(
        None, max_length=32,
        description="The reference of the phone contact this written form follows",
    )

    @field_validator("contact_source")
    @classmethod
    def _source(cls, v: str) -> str:
        if v not in CONTACT_SOURCES:
            raise _invalid("contact source must be a CIN code from 1A to 10, for example 2A "
                           "for a school")
        return v

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem(cls, data: Any, handler: ModelWrapValidatorHandler[SubmitContact]
                       ) -> SubmitContact:
        """The form's own rules, reported together with any field's problems (an "after"
        validator would be skipped as soon as one field fails)."""
        problems = form_problems(data) if isinstance(data, dict) else []
        try:
            form = handler(data)
        except ValidationError as exc:
            if not problems:
                raise
            raise _merged(cls, exc, problems) from None
        _raise(cls, problems)
        return form


def _get(data: Any, *path: str) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _blank(value: Any) -> bool:
    return not (isinstance(value, str) and value.strip())


def form_problems(data: dict[str, Any]) -> list[Problem]:
    """Rules across fields, read from the submitted form as it came (so that they are reported
    even when another field is wrong). A value of the wrong type is left to its field's check."""
    problems: list[Problem] = []
    if data.get("parents_aware") is False and _blank(data.get("parents_not_aware_reason")):
        problems.append(("parents_not_aware_reason",
                         "say why the parents or carers do not know about this contact"))
    consent = data.get("consent_given")
    if consent is True:
        if _blank(data.get("consent_given_by")):
            problems.append(("consent_given_by",
                             "say who gave consent, for example the child's mother"))
        if _blank(data.get("consent_covers")):
            problems.append(("consent_covers",
                             "say whose information the consent covers, for example the "
                             "mother and both children"))
    elif consent in (False, None) and _blank(data.get("consent_not_sought_reason")):
        problems.append(("consent_not_sought_reason",
                         "say why information is shared without consent, for example "
                         "that the child may be at risk of significant harm"))
    kind, source = _get(data, "referrer", "kind"), data.get("contact_source")
    if kind == "anonymous" and source in CONTACT_SOURCES and source not in ("9", "10"):
        problems.append(("contact_source",
                         "an anonymous referral has contact source 9 (anonymous)"))
    if source == "9" and kind in ("professional", "public"):
        problems.append(("contact_source",
                         "contact source 9 is for anonymous referrals: choose the code "
                         "for who you are"))
    if data.get("contact_type") == "advice" and _get(data, "concern", "immediate_risk") is True:
        problems.append(("contact_type",
                         "a child at immediate risk is a concern, not a request for advice"))
    return problems


def _merged(model: type[BaseModel], exc: ValidationError, problems: list[Problem]
            ) -> ValidationError:
    """The fields' errors and the form's, in one ValidationError (one error per place)."""
    details: list[InitErrorDetails] = []
    for e in exc.errors():
        kind: Any = (PydanticCustomError(e["type"], e["msg"]) if e["type"] == "marf"
                     else e["type"])
        detail = InitErrorDetails(type=kind, loc=e["loc"], input=e.get("input"))
        if "ctx" in e and e["type"] != "marf":
            detail["ctx"] = e["ctx"]
        details.append(detail)
    taken = {tuple(e["loc"]) for e in exc.errors()}
    details += [InitErrorDetails(type=_invalid(message), loc=(field,), input=None)
                for field, message in problems if (field,) not in taken]
    try:
        return ValidationError.from_exception_data(model.__name__, details)
    except Exception:  # an error type that cannot be rebuilt: the fields' errors alone
        return exc
