"""Demo data for `make run`: a handful of synthetic contacts left at different stages, so every
queue has something in it. Idempotent: loading twice does not add a second copy."""

from __future__ import annotations

import random
from pathlib import Path

from .auth import Role
from .journey import HubClient, JourneyError
from .synthetic import marf


def load_demo(urls: dict[str, str], data_dir: Path) -> list[str]:
    rng = random.Random(20261125)
    hub = HubClient(urls)
    references: list[str] = []
    try:
        # 1. Received, waiting to be screened.
        a = hub.post_contact(marf(rng, 0), idempotency_key="demo-1")
        # 2. A red one: into the MASH, waiting for the manager's rating.
        b = hub.post_contact(marf(rng, 1, children=2), idempotency_key="demo-2")
        hub.threshold_decision(b["contact_id"], level_of_need=4,
                               rationale="Domestic abuse with children present: needs police "
                                         "and health information today.")
        # 3. Rated amber, waiting for the agencies.
        c = hub.post_contact(marf(rng, 2), idempotency_key="demo-3")
        hub.threshold_decision(c["contact_id"])
        hub.rag_rating(c["contact_id"], rating="amber",
                       agencies=["police", "health", "childrens-social-care"])
        # 4. Rated green, every agency has answered: ready for the manager's decision. The
        #    police answer from their own system, health's practitioner through the console.
        d = hub.post_contact(marf(rng, 3), idempotency_key="demo-4")
        hub.threshold_decision(d["contact_id"], level_of_need=2)
        hub.rag_rating(d["contact_id"], rating="green", agencies=["police", "health"])
        health_visitor = hub.as_staff(Role.AGENCY_PRACTITIONER, "staff:hv-demo", "health")
        for req in hub.wait_for_requests(d["contact_id"], 2):
            if req.get("status", "open") == "open":
                (health_visitor if req["agency"] == "health" else hub).answer_over_http(
                    req["agency"], req["request_id"], known=req["agency"] == "police",
                    summary="One call-out for a noise complaint in 2025; no arrests."
                    if req["agency"] == "police" else "Nothing known.",
                )
        # 5. Advice only: closed at the threshold decision.
        e = hub.post_contact(marf(rng, 4), idempotency_key="demo-5")
        hub.threshold_decision(e["contact_id"], outcome="advice", level_of_need=1,
                               rationale="Anonymous concern with no identifying detail: "
                                         "advice given on how to refer again.")
        references = [x["reference"] for x in (a, b, c, d, e)]
    except JourneyError as exc:
        print(f"demo data only partly loaded: {exc}")
    finally:
        hub.close()
    (data_dir / "demo-loaded").write_text("\n".join(references) + "\n")
    return references
