"""Code lists the hub speaks (see DOMAIN.md): agencies, CIN codes, outcomes."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class Agency(StrEnum):
    POLICE = "police"
    HEALTH = "health"
    CHILDRENS_SOCIAL_CARE = "childrens-social-care"
    ADULT_SAFEGUARDING = "adult-safeguarding"
    EDUCATION = "education"
    PROBATION = "probation"
    HOUSING = "housing"
    YOUTH_OFFENDING = "youth-offending"
    CAMHS = "camhs"


AGENCIES: tuple[str, ...] = tuple(a.value for a in Agency)

# Children in Need census contact / referral source codes (Ofsted Annex A "Contact Source").
CONTACT_SOURCES: dict[str, str] = {
    "1A": "Family member, relative or carer",
    "1B": "Acquaintance (neighbours, child minders)",
    "1C": "Self",
    "1D": "Other individual",
    "2A": "Schools",
    "2B": "Education services",
    "3A": "GP",
    "3B": "Health visitor",
    "3C": "School nurse",
    "3D": "Other primary health",
    "3E": "A&E",
    "3F": "Other health",
    "4": "Housing",
    "5A": "LA social care",
    "5B": "Other internal LA services",
    "5C": "Another local authority",
    "5D": "Early help",
    "6": "Police",
    "7": "Other legal agency",
    "8": "Other",
    "9": "Anonymous",
    "10": "Unknown",
}

# CIN "factors identified at assessment", used as concern categories.
CIN_FACTORS: dict[str, str] = {
    "1A": "Alcohol misuse: child",
    "1B": "Alcohol misuse: parent or carer",
    "1C": "Alcohol misuse: other household member",
    "2A": "Drug misuse: child",
    "2B": "Drug misuse: parent or carer",
    "2C": "Drug misuse: other household member",
    "3A": "Domestic abuse: child subject",
    "3B": "Domestic abuse: parent",
    "3C": "Domestic abuse: other",
    "4A": "Mental health: child",
    "4B": "Mental health: parent or carer",
    "4C": "Mental health: other",
    "5A": "Learning disability: child",
    "5B": "Learning disability: parent or carer",
    "5C": "Learning disability: other",
    "6A": "Physical disability or illness: child",
    "6B": "Physical disability or illness: parent or carer",
    "6C": "Physical disability or illness: other",
    "7A": "Young carer",
    "8B": "Privately fostered",
    "8C": "Privately fostered",
    "8D": "Privately fostered",
    "8E": "Privately fostered",
    "8F": "Privately fostered",
    "9A": "Unaccompanied asylum-seeking child",
    "10A": "Missing",
    "11A": "Child sexual exploitation",
    "12A": "Trafficking",
    "13A": "Gangs",
    "14A": "Socially unacceptable behaviour",
    "15A": "Self-harm",
    "16A": "Neglect",
    "17A": "Emotional abuse",
    "18B": "Physical abuse: child on child",
    "18C": "Physical abuse: adult on child",
    "19B": "Sexual abuse: child on child",
    "19C": "Sexual abuse: adult on child",
    "20": "Other",
    "21": "No factors identified",
    "22A": "Female genital mutilation",
    "23A": "Abuse linked to faith or belief",
    "24A": "Child criminal exploitation",
}

ReferrerKind = Literal["professional", "public", "anonymous"]
ContactType = Literal["concern", "advice"]
Channel = Literal["web", "phone", "agency"]
RagRating = Literal["red", "amber", "green"]
ThresholdOutcome = Literal["mash", "social_care", "early_help", "signpost", "advice", "nfa"]
DecisionOutcome = Literal[
    "social_care_s17", "social_care_s47", "early_help", "signpost", "nfa", "advice"
]
