"""The README's curl walk-through sends bodies the services accept (the stack itself is walked
the same way by tests/e2e through the same routes)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from mash_intake.service_layer.commands import SubmitContact
from mash_triage.service_layer.commands import RateContact, RecordThresholdDecision

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def bodies_posted_to(path_fragment: str) -> list[dict[str, object]]:
    found = []
    for command in re.findall(r"curl -s -X POST (.*?)(?=curl |\n\n|\n#|\Z)", README, re.S):
        if path_fragment in command:
            body = re.search(r"-d '(.*?)'", command, re.S)
            assert body, f"no body in: {command}"
            found.append(json.loads(body.group(1)))
    return found


def test_the_readme_contact_is_a_valid_referral_form() -> None:
    [body] = bodies_posted_to("/v1/contacts -H")
    SubmitContact.model_validate(body)


def test_the_readme_threshold_decision_and_rating_are_valid() -> None:
    [decision] = bodies_posted_to("/threshold-decision")
    [rating] = bodies_posted_to("/rag-rating")
    RecordThresholdDecision.model_validate(decision)
    RateContact.model_validate(rating)
