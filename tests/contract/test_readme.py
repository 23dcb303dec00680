"""The README's curl walk-through sends bodies the services accept (the stack itself is walked
the same way by tests/e2e through the same routes)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from mash_common.auth import CAN, Role
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


# Which capability each route of the walk-through needs (the services' guards, by path).
WALK_CAPABILITIES = {
    r"POST http://127\.0\.0\.1:8001/v1/contacts$": "record-contact",
    r"POST .*/threshold-decision$": "screen",
    r"POST .*/rag-rating$": "rate",
    r"GET http://127\.0\.0\.1:8003/v1/agencies/police/requests$": "answer-request",
    r"GET http://127\.0\.0\.1:8004/v1/queue$": "read-queues",
}


def test_every_readme_call_carries_a_token_whose_role_the_route_allows() -> None:
    assert "X-Mash-" not in README  # the walking skeleton's trusted headers are gone
    walk = README[README.index("### One contact, by hand"):]
    walk = walk[:walk.index("```\n", walk.index("```sh") + 5)]
    role = agency = None
    checked = 0
    for command in re.split(r"\n(?=\S)", walk):
        minted = re.match(r"TOKEN=\$\(uv run mash-token (.*)\)", command)
        if minted:
            role = re.search(r"--role (\S+)", minted[1])[1]  # type: ignore[index]
            found = re.search(r"--agency (\S+)", minted[1])
            agency = found[1] if found else None
            continue
        if not command.startswith("curl "):
            continue
        method = "POST" if "-X POST" in command else "GET"
        url = re.search(r"(http://\S+)", command)[1]  # type: ignore[index]
        assert '-H "Authorization: Bearer $TOKEN"' in command, command
        [capability] = [c for pattern, c in WALK_CAPABILITIES.items()
                        if re.search(pattern, f"{method} {url}")]
        assert role in CAN[capability], (url, role)
        if role == Role.AGENCY_PRACTITIONER:
            assert f"/v1/agencies/{agency}/" in url  # a practitioner opens their own agency's
        checked += 1
    assert checked == len(WALK_CAPABILITIES)
