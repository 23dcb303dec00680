"""Identity and repeat contacts on the data intake holds.

Each child is filed under its blocking keys as keyed hashes (HMAC-SHA256 with a key derived
from the hub's master key for intake alone), so the table holds no name, birthday or postcode.
Candidates sharing a key are opened from intake's own sealed records and ranked by the domain;
every candidate becomes a link that a person confirms or rejects. Nothing is merged.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from mash_common.crypto import Sealer
from mash_common.outbox import UnitOfWork
from mash_schemas.events import ContactLinkDecided, ContactLinked, LinkCandidate

from ..adapters.tables import contacts, identity_keys, links
from ..domain.matching import Identity, blocking_keys, rank

KEY_ID = "intake:identity-keys"
COUNTED = ("exact", "likely")


class UnknownLink(LookupError):
    pass


class AlreadyDecided(ValueError):
    pass


def identity_of(child: dict[str, Any]) -> Identity:
    def day(v: Any) -> date | None:
        return date.fromisoformat(v) if isinstance(v, str) and v else None

    return Identity(
        first_name=child.get("first_name"), last_name=child.get("last_name"),
        date_of_birth=day(child.get("date_of_birth")), postcode=child.get("postcode"),
        nhs_number=child.get("nhs_number"), gender=child.get("gender"),
        expected_due_date=day(child.get("expected_due_date")),
    )


def _hashes(sealer: Sealer, keys: set[str]) -> list[str]:
    secret = sealer.key_for(KEY_ID)
    return sorted(hmac.new(secret, k.encode(), hashlib.sha256).hexdigest() for k in keys)


def _insert_ignore(uow: UnitOfWork) -> Any:
    dialect = uow.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(identity_keys)


@dataclass(frozen=True)
class Policy:
    window_days: int = 365
    max_candidates: int = 500


async def count_in_window(
    uow: UnitOfWork, contact_id: str, received_at: datetime, window_days: int
) -> int:
    """This contact's number among the child's contacts in the window: 1 + earlier contacts
    linked exact or likely (and not rejected) or confirmed by a person."""
    rows = (await uow.session.execute(
        select(links.c.linked_contact_id, links.c.contact_id).where(
            or_(links.c.contact_id == contact_id, links.c.linked_contact_id == contact_id),
            or_(links.c.status == "confirmed",
                (links.c.status == "proposed") & links.c.strength.in_(COUNTED)),
        )
    )).all()
    others = {r.linked_contact_id if r.contact_id == contact_id else r.contact_id for r in rows}
    if not others:
        return 1
    since = received_at - timedelta(days=window_days)
    earlier = (await uow.session.execute(
        select(contacts.c.contact_id).where(
            contacts.c.contact_id.in_(others),
            contacts.c.received_at >= since,
            contacts.c.received_at <= received_at,
        )
    )).all()
    return 1 + len(earlier)


async def match_child(
    uow: UnitOfWork,
    sealer: Sealer,
    policy: Policy,
    *,
    contact_id: str,
    reference: str,
    family_group_id: str,
    child: dict[str, Any],
    now: datetime,
) -> int:
    """File the child, link it to earlier contacts that may be the same child, publish the
    links. Returns how many candidates were found."""
    me = identity_of(child)
    hashes = _hashes(sealer, blocking_keys(me))
    found: list[tuple[str, Any, Any]] = []
    if hashes:
        rows = (await uow.session.execute(
            select(contacts.c.contact_id, contacts.c.reference, contacts.c.received_at,
                   contacts.c.personal)
            .where(
                contacts.c.contact_id.in_(
                    select(identity_keys.c.contact_id)
                    .where(identity_keys.c.key_hash.in_(hashes)).distinct()
                ),
                contacts.c.family_group_id != family_group_id,
            )
            .order_by(contacts.c.received_at.desc())
            .limit(policy.max_candidates)
        )).all()
        by_id = {r.contact_id: r for r in rows}
        earlier = ((r.contact_id, identity_of(sealer.open(r.personal).get("child") or {}))
                   for r in rows)
        found = [(cid, match, by_id[cid]) for cid, match in rank(me, earlier)]
        await uow.session.execute(
            _insert_ignore(uow).values([{"key_hash": h, "contact_id": contact_id}
                                        for h in hashes]).on_conflict_do_nothing()
        )
    if not found:
        return 0
    candidates = []
    for cid, match, row in found:
        link_id = str(uuid.uuid4())
        await uow.session.execute(links.insert().values(
            link_id=link_id, contact_id=contact_id, linked_contact_id=cid,
            strength=match.strength, score=match.score, basis=list(match.basis),
            status="proposed", created_at=now,
        ))
        candidates.append(LinkCandidate(
            link_id=link_id, contact_id=cid, reference=row.reference,
            received_at=row.received_at, strength=match.strength, score=match.score,
            basis=list(match.basis),
        ))
    await uow.publish(
        ContactLinked(
            contact_id=contact_id, reference=reference, candidates=candidates,
            contacts_in_12_months=await count_in_window(uow, contact_id, now, policy.window_days),
            linked_at=now,
        ),
        subject=contact_id, time=now,
    )
    return len(candidates)


async def decide_link(
    uow: UnitOfWork, policy: Policy, link_id: str, decision: str, *, user: str, now: datetime
) -> dict[str, Any]:
    """A person confirms or rejects a candidate: recorded, and published as an event."""
    row = (await uow.session.execute(
        select(links, contacts.c.received_at)
        .join(contacts, contacts.c.contact_id == links.c.contact_id)
        .where(links.c.link_id == link_id).with_for_update()
    )).first()
    if row is None:
        raise UnknownLink(f"no candidate link {link_id}")
    if row.status != "proposed":
        raise AlreadyDecided(f"this link was already {row.status} by {row.decided_by}")
    await uow.session.execute(
        update(links).where(links.c.link_id == link_id, links.c.status == "proposed")
        .values(status=decision, decided_by=user, decided_at=now)
    )
    count = await count_in_window(uow, row.contact_id, row.received_at, policy.window_days)
    await uow.publish(
        ContactLinkDecided(
            link_id=link_id, contact_id=row.contact_id, linked_contact_id=row.linked_contact_id,
            decision=decision,  # type: ignore[arg-type]
            strength=row.strength, decided_by=user, decided_at=now,
            contacts_in_12_months=count,
        ),
        subject=row.contact_id, time=now,
    )
    return {"link_id": link_id, "status": decision, "contacts_in_12_months": count}


async def links_of(uow: UnitOfWork, contact_id: str) -> list[dict[str, Any]]:
    """Candidate links touching a contact, in both directions; ids and references only."""
    rows = (await uow.session.execute(
        select(links).where(
            or_(links.c.contact_id == contact_id, links.c.linked_contact_id == contact_id)
        ).order_by(links.c.created_at, links.c.score.desc())
    )).all()
    refs = dict((await uow.session.execute(
        select(contacts.c.contact_id, contacts.c.reference).where(contacts.c.contact_id.in_(
            {r.contact_id for r in rows} | {r.linked_contact_id for r in rows}))
    )).all())
    return [
        {
            "link_id": r.link_id,
            "other_contact_id": (other := r.linked_contact_id if r.contact_id == contact_id
                                 else r.contact_id),
            "other_reference": refs.get(other),
            "direction": "earlier" if r.contact_id == contact_id else "later",
            "strength": r.strength, "score": r.score, "basis": r.basis, "status": r.status,
            "decided_by": r.decided_by, "decided_at": r.decided_at,
        }
        for r in rows
    ]
