"""docs/openapi/*.json are generated from the services' apps and must not drift from them."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mash_intake.config import IntakeSettings

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "tools" / "openapi_docs.py"
REGENERATE = "run `make schemas` (or `uv run python tools/openapi_docs.py write`) and commit"


def _load_generator() -> ModuleType:
    """tools/openapi_docs.py is a script, not a package: load it from its path."""
    spec = importlib.util.spec_from_file_location("openapi_docs", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


openapi_docs = _load_generator()


@pytest.fixture(scope="module")
def rendered() -> dict[Path, str]:
    files: dict[Path, str] = openapi_docs.rendered()
    return files


def test_the_committed_openapi_documents_match_the_apps(rendered: dict[Path, str]) -> None:
    problems = openapi_docs.drift(rendered)
    assert problems == [], f"{REGENERATE} docs/openapi/:\n" + "\n".join(problems)


def test_the_documents_are_the_same_on_every_build(rendered: dict[Path, str]) -> None:
    assert openapi_docs.rendered() == rendered


def test_the_settings_ignore_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASH_INTAKE_WRITTEN_FORM_HOURS", "48")
    monkeypatch.setenv("MASH_DATABASE_URL", "postgresql+asyncpg://elsewhere/mash")
    settings = openapi_docs.isolated(IntakeSettings)
    assert isinstance(settings, IntakeSettings)
    assert settings.written_form_hours == IntakeSettings.model_fields["written_form_hours"].default
    assert settings.database_url is None


def test_every_security_requirement_names_a_declared_scheme(rendered: dict[Path, str]) -> None:
    for path, text in rendered.items():
        document = json.loads(text)
        declared = set(document.get("components", {}).get("securitySchemes", {}))
        for route, operations in document["paths"].items():
            for method, operation in operations.items():
                for requirement in operation.get("security", []):
                    assert set(requirement) <= declared, f"{path.name}: {method} {route}"
