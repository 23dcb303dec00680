"""Generate docs/openapi/<service>.json, each HTTP service's OpenAPI document, from its app.

`uv run python tools/openapi_docs.py write` (run by `make schemas`) writes them;
`uv run python tools/openapi_docs.py check` exits non-zero when the committed files drift from
the apps (tests/contract/test_openapi_docs.py runs the same comparison).

Each app is built with its service's `build_app(settings)` and never started: building one
opens no connection and starts no task (the lifespan does that). The settings are each class's
defaults and nothing else, never the environment of the machine, and the database is in memory
(so not even `.data/` is created). The console is left out: its routes are HTML pages and form
posts for a browser, not an API for integrators.

This is a script, not part of a package: it imports every service, and no workspace package may
(services depend on mash_common and mash_schemas, never the reverse, and never on each other).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from mash_decision.bootstrap import build_app as decision_app
from mash_decision.config import DecisionSettings
from mash_feedback.bootstrap import build_app as feedback_app
from mash_feedback.config import FeedbackSettings
from mash_gateway.bootstrap import build_app as gateway_app
from mash_gateway.config import GatewaySettings
from mash_intake.bootstrap import build_app as intake_app
from mash_intake.config import IntakeSettings
from mash_triage.bootstrap import build_app as triage_app
from mash_triage.config import TriageSettings

ROOT = Path(__file__).resolve().parents[1]
OPENAPI_DIR = ROOT / "docs" / "openapi"
# Nothing is ever connected to; in memory, the engine does not even create a directory.
IN_MEMORY_DB = "sqlite+aiosqlite:///:memory:"

S = TypeVar("S", bound=BaseSettings)


def isolated(settings_cls: type[S], **values: Any) -> S:
    """`settings_cls` from its defaults and `values` only: no MASH_* variable is read."""

    class Isolated(settings_cls):  # type: ignore[valid-type,misc]  # a class made at run time
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings,)

    settings: S = Isolated(**values)
    return settings


# Each documented service, by the name of its file, and how to build its app.
APPS: dict[str, Callable[[], FastAPI]] = {
    "intake": lambda: intake_app(isolated(IntakeSettings, database_url=IN_MEMORY_DB)),
    "triage": lambda: triage_app(isolated(TriageSettings, database_url=IN_MEMORY_DB)),
    "agency-gateway": lambda: gateway_app(isolated(GatewaySettings, database_url=IN_MEMORY_DB)),
    "decision": lambda: decision_app(isolated(DecisionSettings, database_url=IN_MEMORY_DB)),
    "feedback": lambda: feedback_app(isolated(FeedbackSettings, database_url=IN_MEMORY_DB)),
}


def dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def rendered() -> dict[Path, str]:
    """Every generated file and its exact text."""
    return {OPENAPI_DIR / f"{name}.json": dump(build().openapi()) for name, build in APPS.items()}


def drift(expected: dict[Path, str] | None = None) -> list[str]:
    expected = rendered() if expected is None else expected
    problems = []
    for path, text in expected.items():
        if not path.exists():
            problems.append(f"missing: {path.relative_to(ROOT)}")
        elif path.read_text() != text:
            problems.append(f"differs from the service's app: {path.relative_to(ROOT)}")
    for path in sorted(OPENAPI_DIR.glob("*.json")):
        if path not in expected:
            problems.append(f"no longer generated: {path.relative_to(ROOT)}")
    return problems


def write() -> list[Path]:
    files = rendered()
    OPENAPI_DIR.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    for path in OPENAPI_DIR.glob("*.json"):
        if path not in files:
            path.unlink()
    return sorted(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/openapi_docs.py", description=__doc__)
    parser.add_argument("command", nargs="?", choices=["write", "check"], default="write")
    args = parser.parse_args(argv)
    if args.command == "write":
        written = write()
        print(f"wrote {len(written)} OpenAPI documents under {OPENAPI_DIR.relative_to(ROOT)}")
        return 0
    problems = drift()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("run `make schemas` to regenerate", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
