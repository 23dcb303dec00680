"""Synthetic, realistic referral forms for demos, tests and benchmarks. Every person is invented."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

FIRST = ["Ava", "Leo", "Maya", "Noah", "Isla", "Zain", "Ruby", "Oscar", "Amara", "Finley",
         "Poppy", "Kacper", "Aisha", "Theo", "Freya", "Yusuf", "Lily", "Harvey", "Esme", "Jayden"]
LAST = ["Brook", "Okafor", "Nowak", "Patel", "Hughes", "Campbell", "Ahmed", "Fletcher",
        "Kowalski", "Murray", "Begum", "O'Neill", "Smith-Jones", "Adeyemi", "Walsh", "Clarke"]
STREETS = ["Mill Lane", "Station Road", "Church Street", "Elm Grove", "Victoria Terrace",
           "Kingsway", "Park View", "Orchard Close"]
TOWNS = [("Milton Keynes", "MK9 3EP"), ("Bletchley", "MK2 2HB"), ("Wolverton", "MK12 5NL"),
         ("Newport Pagnell", "MK16 8AA"), ("Olney", "MK46 4AD")]

SCENARIOS: list[dict[str, Any]] = [
    {"source": "2A", "kind": "professional", "role": "Designated safeguarding lead",
     "agency": "Oakfield Primary School", "factors": ["16A"], "risk": False,
     "summary": "Arrived at school hungry on four days this fortnight, in the same clothes; "
                "said there was no food at home at the weekend."},
    {"source": "6", "kind": "professional", "role": "Police constable",
     "agency": "Thames Valley Police", "factors": ["3A", "3B"], "risk": True,
     "summary": "Police attended a domestic incident at the home overnight; the children were "
                "present and one had a mark on the cheek."},
    {"source": "3B", "kind": "professional", "role": "Health visitor",
     "agency": "Community health services", "factors": ["4B"], "risk": False,
     "summary": "Mother disclosed low mood and not coping at a routine visit; the baby has "
                "missed two immunisation appointments."},
    {"source": "1B", "kind": "public", "role": None, "agency": None,
     "factors": ["17A"], "risk": False,
     "summary": "A neighbour hears shouting most evenings and a young child crying for long "
                "periods; the child is often outside alone after dark."},
    {"source": "9", "kind": "anonymous", "role": None, "agency": None,
     "factors": ["2B"], "risk": False,
     "summary": "Caller worried that the parents use drugs at home and the children are left "
                "unsupervised."},
    {"source": "3E", "kind": "professional", "role": "Emergency department nurse",
     "agency": "University Hospital", "factors": ["18C"], "risk": True,
     "summary": "Toddler brought in with a spiral fracture of the arm; the explanation given "
                "does not fit the injury."},
]


def _child(rng: random.Random, last: str, today: date) -> dict[str, Any]:
    dob = today - timedelta(days=rng.randint(200, 16 * 365))
    town, postcode = rng.choice(TOWNS)
    return {
        "first_name": rng.choice(FIRST),
        "last_name": last,
        "date_of_birth": dob.isoformat(),
        "gender": rng.choice(["female", "male"]),
        "address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}, {town}",
        "postcode": postcode,
        "school": "Oakfield Primary School" if dob < today - timedelta(days=5 * 365) else None,
    }


def marf(rng: random.Random, scenario: int | None = None, *, children: int = 1,
         today: date | None = None) -> dict[str, Any]:
    """One referral form, drawn from a scenario."""
    today = today or date.today()
    s = SCENARIOS[scenario if scenario is not None else rng.randrange(len(SCENARIOS))]
    last = rng.choice(LAST)
    referrer: dict[str, Any] = {"kind": s["kind"]}
    if s["kind"] == "professional":
        referrer |= {"name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "role": s["role"],
                     "agency": s["agency"], "email": "referrer@example.org"}
    elif s["kind"] == "public":
        referrer |= {"name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                     "email": "neighbour@example.org"}
    return {
        "contact_type": "concern",
        "contact_source": s["source"],
        "channel": "web",
        "referrer": referrer,
        "parents_aware": not s["risk"],
        "parents_not_aware_reason": (
            "Telling them could put the children at risk." if s["risk"] else None
        ),
        "consent_given": not s["risk"] and s["kind"] == "professional",
        # Intake asks who gave consent and whose information it covers (issue 3).
        "consent_given_by": (
            "The child's mother" if (not s["risk"] and s["kind"] == "professional") else None
        ),
        "consent_covers": (
            "The mother and the children" if (not s["risk"] and s["kind"] == "professional")
            else None
        ),
        "consent_not_sought_reason": (
            None if (not s["risk"] and s["kind"] == "professional")
            else "Possible significant harm: sharing without consent to protect the child."
        ),
        "children": [_child(rng, last, today) for _ in range(children)],
        "concern": {"summary": s["summary"], "factors": s["factors"], "immediate_risk": s["risk"]},
    }
