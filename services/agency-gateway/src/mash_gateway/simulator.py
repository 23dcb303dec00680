"""`mash-agency-sim`: agency systems, simulated, for demos and benchmarks.

It does what an outside agency system does with an ordinary Kafka client: reads its requests
on `mash.agency.<agency>.requests` (its own consumer group), opens their subject details with
the agency's key, and some time later answers on `mash.agency.<agency>.responses` with a
CloudEvent of type `uk.mash.agency.response.v1` in structured JSON mode, key = contact id.

    mash-agency-sim [run] [--bootstrap HOST:PORT] [--delay-seconds 5] [--seed 7]
                    [--silent-agencies education,camhs] [--silent-fraction 0.1]
                    [--late-fraction 0.2] [--known-fraction 0.4] [--agencies police,health]
    mash-agency-sim key <agency>      # print that agency's key (base64url)

Late answers really are late: they are sent a little after the request's deadline. With
--seed, what each request gets (silence, lateness, delay, content) depends only on the seed and
the request id. The simulator derives agencies' keys from the hub's data key (MASH_DATA_KEY),
since it plays all of them; a real agency is given only its own key (`key` prints it).
Offsets are committed only once a request is answered (or left unanswered on purpose), so a
restarted simulator answers what it had not; a second answer changes nothing at the hub.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import heapq
import random
import signal
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiokafka import TopicPartition

from mash_common.codec import DecodeError, decode, encode
from mash_common.crypto import Sealer, agency_kid, open_with_key
from mash_common.kafka import make_consumer, make_producer
from mash_common.logging import configure_logging, get_logger
from mash_common.runtime import Clock
from mash_schemas.codes import AGENCIES
from mash_schemas.envelope import CONTENT_TYPE, utcnow
from mash_schemas.events import AgencyRequest, AgencyResponse
from mash_schemas.topics import agency_requests, agency_responses

from .config import GatewaySettings

log = get_logger("mash.agency-sim")

DEFAULT_GROUP = "mash.agency-sim"

# What each agency searches, and what it may find. {name} is the child's first name, when the
# request carries it; the rest is filled from the request's own random stream.
SYSTEMS = {
    "police": "PND and local records",
    "health": "the GP record, the child health record and SystmOne",
    "childrens-social-care": "the social care case record",
    "adult-safeguarding": "adult social care records",
    "education": "the school census and attendance records",
    "probation": "nDelius",
    "housing": "the housing register and tenancy records",
    "youth-offending": "the youth justice case record",
    "camhs": "the CAMHS referral and case records",
}
FINDINGS = {
    "police": [
        "{n} domestic incident(s) attended at the home address in the last 12 months; "
        "no charges. Most recent in {month}.",
        "{name} was reported missing once in {month}, found the same evening; "
        "return interview completed.",
        "A household adult has a caution for possession in {year}; no child-related concerns.",
    ],
    "health": [
        "Registered with the GP; {n} missed immunisation appointment(s); health visitor last "
        "saw {name} in {month}.",
        "{name} attended A&E in {month} with a minor injury; explanation consistent.",
        "Mother seen by perinatal mental health in {year}; discharged to the GP.",
    ],
    "childrens-social-care": [
        "Previous contact in {year}: early help assessment completed, closed with "
        "step-down to universal services.",
        "Child in need plan {year} for neglect, closed after {n} months.",
    ],
    "adult-safeguarding": [
        "A parent was the subject of a safeguarding enquiry in {year} (self-neglect), closed.",
        "Carer's assessment completed for a parent in {month}.",
    ],
    "education": [
        "{name} attends school; attendance {pct}% this term; staff have noticed "
        "tiredness on Mondays.",
        "{name} has an EHC plan; {n} fixed-term exclusion(s) this year.",
        "Attendance {pct}%; school nurse saw {name} in {month}.",
    ],
    "probation": [
        "A household adult is on licence until {year}; offender manager aware of the children.",
        "A household adult completed a community order in {year}; no current supervision.",
    ],
    "housing": [
        "Family in temporary accommodation since {month}; rent arrears; damp reported.",
        "Tenancy warning for anti-social behaviour issued in {month}.",
    ],
    "youth-offending": [
        "Out-of-court disposal for {name} in {month}; intervention completed.",
        "An older sibling is open to the youth justice service.",
    ],
    "camhs": [
        "Referral received in {month}; {name} is on the waiting list for assessment.",
        "{name} was seen {n} time(s) in {year}; discharged with a safety plan.",
    ],
}
RESPONDERS = {
    "police": "DC", "health": "HV", "childrens-social-care": "SW", "adult-safeguarding": "SW",
    "education": "DSL", "probation": "PO", "housing": "HO", "youth-offending": "YJ",
    "camhs": "CP",
}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


@dataclass(frozen=True)
class SimOptions:
    delay_seconds: float = 5.0
    silent_agencies: frozenset[str] = frozenset()
    silent_fraction: float = 0.0
    late_fraction: float = 0.0
    known_fraction: float = 0.4
    seed: int | None = None


@dataclass(frozen=True)
class PlannedAnswer:
    agency: str
    contact_id: str
    answer_at: datetime
    late: bool
    response: AgencyResponse


def _rng(options: SimOptions, request_id: str) -> random.Random:
    if options.seed is None:
        return random.Random()
    return random.Random(f"{options.seed}:{request_id}")


def answer_content(
    agency: str, details: dict[str, Any], rng: random.Random, known_fraction: float
) -> tuple[bool, str, str]:
    """(known to the agency, summary, responder) as an agency practitioner would write them."""
    responder = f"{agency}:{RESPONDERS.get(agency, 'P')}-{rng.randint(1000, 9999)}"
    searched = SYSTEMS.get(agency, "agency records")
    if rng.random() >= known_fraction or agency not in FINDINGS:
        return False, f"Nothing known: searched {searched} by name and date of birth.", responder
    name = (details.get("child") or {}).get("first_name") or "the child"
    finding = rng.choice(FINDINGS[agency]).format(
        name=name, n=rng.randint(1, 3), pct=rng.randint(72, 96),
        month=rng.choice(MONTHS), year=rng.randint(2019, 2025),
    )
    return True, f"Known: {finding} (searched {searched})", responder


def plan_answer(
    request: AgencyRequest, details: dict[str, Any], options: SimOptions, now: datetime
) -> PlannedAnswer | None:
    """When and what the agency answers; None if it never does."""
    rng = _rng(options, request.request_id)
    # Always draw the same numbers in the same order: a seed gives one plan per request.
    silent_draw, late_draw, delay_draw = rng.random(), rng.random(), rng.uniform(0.5, 1.5)
    if request.agency in options.silent_agencies or silent_draw < options.silent_fraction:
        return None
    delay = timedelta(seconds=options.delay_seconds * delay_draw)
    late = late_draw < options.late_fraction or now > request.respond_by
    if late:
        answer_at = max(now + delay, request.respond_by + timedelta(seconds=1) + delay)
    else:
        # An answer meant to be in time stays in time, however short the deadline.
        answer_at = now + min(delay, (request.respond_by - now) / 2)
    known, summary, responder = answer_content(request.agency, details, rng,
                                               options.known_fraction)
    return PlannedAnswer(
        agency=request.agency,
        contact_id=request.contact_id,
        answer_at=answer_at,
        late=late,
        response=AgencyResponse(
            request_id=request.request_id, known_to_agency=known, summary=summary,
            responder=responder,
        ),
    )


def encode_answer(answer: PlannedAnswer) -> tuple[bytes, bytes]:
    """(key, value): the contract an agency system produces, key = contact id."""
    _, value = encode(answer.response, source=f"/agency/{answer.agency}",
                      subject=answer.contact_id)
    return answer.contact_id.encode(), value


@dataclass(order=True)
class _Due:
    at: datetime
    seq: int
    tp: TopicPartition = field(compare=False)
    offset: int = field(compare=False)
    answer: PlannedAnswer = field(compare=False)


class AgencySimulator:
    def __init__(
        self,
        bootstrap: str,
        options: SimOptions,
        *,
        data_key: str,
        agencies: Iterable[str] = AGENCIES,
        group_id: str = DEFAULT_GROUP,
        session_timeout_ms: int = 10_000,
        clock: Clock = utcnow,
    ) -> None:
        self.bootstrap = bootstrap
        self.options = options
        self.agencies = list(agencies)
        self.group_id = group_id
        self.session_timeout_ms = session_timeout_ms
        self.clock = clock
        sealer = Sealer(data_key)
        self._keys = {a: sealer.export_key(agency_kid(a)) for a in self.agencies}
        self.received = 0
        self.answered = 0
        self.left_silent = 0
        self.unopened = 0  # requests whose details the agency's key could not open
        self._due: list[_Due] = []
        self._seq = 0
        self._pending: dict[TopicPartition, set[int]] = {}
        self._next: dict[TopicPartition, int] = {}
        self._committed: dict[TopicPartition, int] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Answer requests until `stop` is set; reconnects if the broker goes away."""
        while not stop.is_set():
            try:
                await self._run_once(stop)
            except Exception as exc:
                log.warning("sim.restart", error=type(exc).__name__, reason=str(exc)[:200])
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 1.0)

    async def _run_once(self, stop: asyncio.Event) -> None:
        self._due, self._pending, self._next, self._committed = [], {}, {}, {}
        consumer = make_consumer(
            self.bootstrap, group_id=self.group_id, client_id="mash-agency-sim",
            session_timeout_ms=self.session_timeout_ms,
            heartbeat_interval_ms=max(self.session_timeout_ms // 10, 300),
        )
        producer = make_producer(self.bootstrap, client_id="mash-agency-sim")
        try:
            await producer.start()
            consumer.subscribe([agency_requests(a) for a in self.agencies])
            await consumer.start()
            log.info("sim.started", count=len(self.agencies), consumer=self.group_id)
            while not stop.is_set():
                wait_ms = 200
                if self._due:
                    until = (self._due[0].at - self.clock()).total_seconds() * 1000
                    wait_ms = int(min(max(until, 0), 200))
                batches = await consumer.getmany(timeout_ms=wait_ms, max_records=500)
                for tp, messages in batches.items():
                    for msg in messages:
                        self._take(tp, msg)
                await self._send_due(producer)
                await self._commit(consumer)
        finally:
            for client in (consumer, producer):
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.stop(), 5)

    def _take(self, tp: TopicPartition, msg: Any) -> None:
        self._next[tp] = msg.offset + 1
        try:
            decoded = decode(msg.value)
        except DecodeError as exc:
            log.warning("sim.undecodable", topic=msg.topic, offset=msg.offset, reason=exc.reason)
            return
        request = decoded.data
        if not isinstance(request, AgencyRequest) or request.agency not in self._keys:
            return
        self.received += 1
        try:
            details = open_with_key(self._keys[request.agency],
                                    request.subject_details.model_dump())
        except Exception:
            log.warning("sim.cannot_open", request_id=request.request_id, agency=request.agency)
            self.unopened += 1
            details = {}
        answer = plan_answer(request, details, self.options, self.clock())
        if answer is None:
            self.left_silent += 1
            log.info("sim.silent", request_id=request.request_id, agency=request.agency,
                     contact_id=request.contact_id)
            return
        self._seq += 1
        self._pending.setdefault(tp, set()).add(msg.offset)
        heapq.heappush(self._due, _Due(answer.answer_at, self._seq, tp, msg.offset, answer))

    async def _send_due(self, producer: Any) -> None:
        now = self.clock()
        due: list[_Due] = []
        while self._due and self._due[0].at <= now:
            due.append(heapq.heappop(self._due))
        if not due:
            return
        futures = []
        for item in due:
            key, value = encode_answer(item.answer)
            futures.append(await producer.send(
                agency_responses(item.answer.agency), value=value, key=key,
                headers=[("content-type", CONTENT_TYPE.encode())],
            ))
        await asyncio.gather(*futures)
        for item in due:
            self._pending[item.tp].discard(item.offset)
            self.answered += 1
            log.info("sim.answered", request_id=item.answer.response.request_id,
                     agency=item.answer.agency, contact_id=item.answer.contact_id,
                     status="late" if item.answer.late else "in_time")

    async def _commit(self, consumer: Any) -> None:
        offsets = {}
        for tp, next_offset in self._next.items():
            pending = self._pending.get(tp)
            position = min(pending) if pending else next_offset
            if self._committed.get(tp) != position:
                offsets[tp] = position
        if offsets:
            await consumer.commit(offsets)
            self._committed.update(offsets)


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _fraction(value: str) -> float:
    f = float(value)
    if not 0.0 <= f <= 1.0:
        raise argparse.ArgumentTypeError("a fraction between 0 and 1")
    return f


def _parser(settings: GatewaySettings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mash-agency-sim", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="answer requests until Ctrl-C (the default)")
    run.add_argument("--bootstrap", default=settings.kafka_bootstrap)
    run.add_argument("--delay-seconds", type=float, default=5.0,
                     help="typical answer delay; each answer takes 0.5x to 1.5x of it")
    run.add_argument("--silent-agencies", type=_csv, default=[],
                     help="comma-separated agencies that never answer")
    run.add_argument("--silent-fraction", type=_fraction, default=0.0,
                     help="share of other requests never answered")
    run.add_argument("--late-fraction", type=_fraction, default=0.0,
                     help="share of answers sent after the request's deadline")
    run.add_argument("--known-fraction", type=_fraction, default=0.4,
                     help="share of answers where the child is known to the agency")
    run.add_argument("--seed", type=int, default=None, help="make every plan reproducible")
    run.add_argument("--agencies", type=_csv, default=list(settings.agencies),
                     help="comma-separated agencies to play (default: all)")
    run.add_argument("--group", default=DEFAULT_GROUP, help="consumer group id")
    run.add_argument("--session-timeout-ms", type=int, default=10_000)
    key = sub.add_parser("key", help="print an agency's key (base64url)")
    key.add_argument("agency", choices=list(settings.agencies))
    return parser


async def _serve(simulator: AgencySimulator) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await simulator.run(stop)
    log.info("sim.stopped", count=simulator.answered)


def main(argv: Sequence[str] | None = None) -> int:
    settings = GatewaySettings()
    args_in = list(sys.argv[1:] if argv is None else argv)
    if not args_in or args_in[0] not in {"run", "key", "-h", "--help"}:
        args_in = ["run", *args_in]
    args = _parser(settings).parse_args(args_in)
    if args.command == "key":
        print(Sealer(settings.data_key.get_secret_value()).export_key(agency_kid(args.agency)))
        return 0
    unknown = sorted((set(args.agencies) | set(args.silent_agencies)) - set(settings.agencies))
    if unknown:
        print(f"mash-agency-sim: unknown agency: {', '.join(unknown)}", file=sys.stderr)
        return 2
    configure_logging("agency-sim", settings.log_level)
    simulator = AgencySimulator(
        args.bootstrap,
        SimOptions(
            delay_seconds=args.delay_seconds,
            silent_agencies=frozenset(args.silent_agencies),
            silent_fraction=args.silent_fraction,
            late_fraction=args.late_fraction,
            known_fraction=args.known_fraction,
            seed=args.seed,
        ),
        data_key=settings.data_key.get_secret_value(),
        agencies=args.agencies,
        group_id=args.group,
        session_timeout_ms=args.session_timeout_ms,
    )
    asyncio.run(_serve(simulator))
    return 0


if __name__ == "__main__":
    sys.exit(main())
