"""The shape STYLE.md asks for, checked: domain code is free of frameworks and I/O, and no
service reaches into another service's package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p for p in (ROOT / "services").iterdir() if (p / "src").is_dir())
DOMAIN_FILES = sorted(ROOT.glob("services/*/src/*/domain/*.py"))

# The domain may use the standard library and the wire contract's plain code lists only.
FORBIDDEN_IN_DOMAIN = (
    "sqlalchemy", "fastapi", "starlette", "aiokafka", "confluent_kafka", "httpx", "structlog",
    "alembic", "uvicorn", "asyncpg", "aiosqlite", "pydantic_settings", "mash_common",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_code_imports_no_framework(path: Path) -> None:
    bad = {m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN_IN_DOMAIN}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_there_is_domain_code_to_check() -> None:
    assert len(DOMAIN_FILES) >= 5


@pytest.mark.parametrize("service", SERVICES, ids=lambda p: p.name)
def test_a_service_never_imports_another_service(service: Path) -> None:
    own = next((service / "src").iterdir()).name
    others = {
        next((s / "src").iterdir()).name for s in SERVICES if s != service
    } - {"mash_common"}
    for path in (service / "src").rglob("*.py"):
        bad = {m for m in imported_modules(path) if m.split(".")[0] in others - {own}}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
