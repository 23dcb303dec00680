"""The local stack: embedded broker, topics, every service as a process, demo data.

`mash-dev run` is what `make run` calls. `Stack` is also what the end-to-end tests use to start
every service once per test session, kill one, start a second copy, or restart the broker.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .broker import EmbeddedBroker, port_open
from .kafka import ensure_topics


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str
    port: int


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("console", "mash_console", 8000),
    ServiceSpec("intake", "mash_intake", 8001),
    ServiceSpec("triage", "mash_triage", 8002),
    ServiceSpec("agency-gateway", "mash_gateway", 8003),
    ServiceSpec("decision", "mash_decision", 8004),
    ServiceSpec("feedback", "mash_feedback", 8005),
)
BY_NAME = {s.name: s for s in SERVICES}


def env_name(service: str) -> str:
    return service.upper().replace("-", "_")


@dataclass
class Running:
    spec: ServiceSpec
    copy: int
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Stack:
    """Processes of the hub's services, wired to one broker and one data directory."""

    bootstrap: str
    data_dir: Path
    ports: dict[str, int] = field(default_factory=lambda: {s.name: s.port for s in SERVICES})
    database_urls: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    running: dict[tuple[str, int], Running] = field(default_factory=dict)

    def env_for(self, name: str, port: int) -> dict[str, str]:
        env = {
            **os.environ,
            "MASH_KAFKA_BOOTSTRAP": self.bootstrap,
            "MASH_DATA_DIR": str(self.data_dir),
            f"MASH_{env_name(name)}_HTTP_PORT": str(port),
            **self.extra_env,
        }
        for svc, p in self.ports.items():  # the console finds the others through these
            env[f"MASH_CONSOLE_{env_name(svc)}_URL"] = f"http://127.0.0.1:{p}"
        if name in self.database_urls:
            env[f"MASH_{env_name(name)}_DATABASE_URL"] = self.database_urls[name]
        return env

    def create_demo_staff(self) -> str:
        """The console's demo staff accounts (development only); returns their credentials."""
        done = subprocess.run(
            [sys.executable, "-m", "mash_console", "users", "demo"],
            env=self.env_for("console", self.ports["console"]),
            capture_output=True, text=True, check=True, timeout=120,
        )
        return done.stdout

    def start(self, name: str, *, copy: int = 0, port: int | None = None) -> Running:
        spec = BY_NAME[name]
        port = port or (self.ports[name] if copy == 0 else self.ports[name] + 100 * copy)
        log_dir = self.data_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"{name}-{copy}.log"
        out = open(log_path, "ab")  # noqa: SIM115 - owned by the child process
        process = subprocess.Popen(
            [sys.executable, "-m", spec.module],
            env=self.env_for(name, port),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()
        run = Running(spec, copy, port, process, log_path)
        self.running[(name, copy)] = run
        return run

    def start_all(self, names: list[str] | None = None) -> None:
        for name in names or [s.name for s in SERVICES]:
            self.start(name)

    def stop(self, name: str, *, copy: int = 0, sig: int = signal.SIGTERM) -> None:
        run = self.running.pop((name, copy), None)
        if run is None or run.process.poll() is not None:
            return
        run.process.send_signal(sig)
        try:
            run.process.wait(15)
        except subprocess.TimeoutExpired:
            run.process.kill()
            run.process.wait(5)

    def kill(self, name: str, *, copy: int = 0) -> None:
        """SIGKILL: the process gets no chance to tidy up."""
        self.stop(name, copy=copy, sig=signal.SIGKILL)

    def stop_all(self) -> None:
        for name, copy in list(self.running):
            run = self.running[(name, copy)]
            if run.process.poll() is None:
                run.process.send_signal(signal.SIGTERM)
        for name, copy in list(self.running):
            self.stop(name, copy=copy)

    def url(self, name: str, copy: int = 0) -> str:
        return self.running[(name, copy)].url

    def wait_ready(
        self, timeout_s: float = 60.0, names: list[tuple[str, int]] | None = None
    ) -> None:
        deadline = time.monotonic() + timeout_s
        pending = list(names or self.running)
        while pending:
            key = pending[0]
            run = self.running[key]
            if run.process.poll() is not None:
                raise RuntimeError(
                    f"{key[0]} exited with {run.process.returncode}; see {run.log_path}"
                )
            try:
                if httpx.get(f"{run.url}/readyz", timeout=2).status_code == 200:
                    pending.pop(0)
                    continue
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                tail = run.log_path.read_text(errors="replace")[-2000:]
                raise TimeoutError(f"{key[0]} not ready after {timeout_s}s; log tail:\n{tail}")
            time.sleep(0.2)


def _print_banner(stack: Stack, broker: str, demo: list[str], staff: str) -> None:
    print("\nThe MASH stack is running. Press Ctrl-C to stop everything.\n")
    print(f"  {'broker (Kafka protocol)':<26} {broker}")
    for spec in SERVICES:
        url = f"http://127.0.0.1:{stack.ports[spec.name]}"
        docs = "" if spec.name == "console" else f"   API docs {url}/docs"
        print(f"  {spec.name:<26} {url}{docs}")
    print(f"\n  data directory             {stack.data_dir}")
    print(f"  logs                       {stack.data_dir / 'logs'}")
    if demo:
        print("\n  demo contacts loaded:      " + ", ".join(demo))
    print(staff.rstrip("\n"))
    print("\n  Open the console and sign in: http://127.0.0.1:{}/\n".format(stack.ports["console"]))
    sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).resolve()
    if args.fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    host, _, port = args.bootstrap.partition(":")
    broker: EmbeddedBroker | None = None
    if port_open(host, int(port)):
        print(f"A broker already listens on {args.bootstrap}; using it.")
    else:
        broker = EmbeddedBroker(host, int(port), log_path=data_dir / "broker.log").start()
        print(f"Started the embedded broker (Tansu) on {args.bootstrap}.")
    created = asyncio.run(ensure_topics(args.bootstrap))
    print(f"Topics: {len(created)} created.")
    stack = Stack(bootstrap=args.bootstrap, data_dir=data_dir)
    sim: subprocess.Popen[bytes] | None = None
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        staff = stack.create_demo_staff()
        stack.start_all()
        stack.wait_ready(timeout_s=120)
        demo: list[str] = []
        if not args.no_demo:
            from .demo import load_demo

            demo = load_demo({s.name: f"http://127.0.0.1:{stack.ports[s.name]}" for s in SERVICES},
                             data_dir)
        if args.simulate_agencies:
            sim = subprocess.Popen(
                [sys.executable, "-m", "mash_gateway.simulator", "--bootstrap", args.bootstrap],
                stdout=open(data_dir / "logs" / "agency-sim.log", "ab"),  # noqa: SIM115
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _print_banner(stack, args.bootstrap, demo, staff)
        while not stopping:
            for (name, copy), r in list(stack.running.items()):
                if r.process.poll() is not None:
                    print(f"{name} exited with {r.process.returncode}; see {r.log_path}")
                    stack.running.pop((name, copy))
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping...")
        if sim is not None and sim.poll() is None:
            sim.terminate()
            sim.wait(10)
        stack.stop_all()
        if broker is not None:
            broker.stop()
        print("Stopped.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mash-dev", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="start broker, topics, every service and demo data")
    r.add_argument("--bootstrap", default=os.environ.get("MASH_KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    r.add_argument("--data-dir", default=os.environ.get("MASH_DATA_DIR", ".data"))
    r.add_argument("--fresh", action="store_true", help="start from empty databases")
    r.add_argument("--no-demo", action="store_true", help="do not load demo contacts")
    r.add_argument("--simulate-agencies", action="store_true",
                   help="also run the agency simulator, which answers every request")
    args = parser.parse_args(argv)
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {"run": run}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
