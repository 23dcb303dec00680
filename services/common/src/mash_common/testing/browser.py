"""Real Chromium for browser tests: Debian's build, driven by Playwright's async API.

Playwright cannot download its own browsers here, so the tests use the distribution's
`/usr/bin/chromium` and install it with apt-get when it is missing (`ensure_chromium`). A
machine that cannot install it fails the run: browser tests are never skipped.

The async API, not the sync one: Playwright's sync API marks its own event loop as the
thread's running loop between calls, for as long as Playwright is started, so with a
session-wide browser every later `async def` test (pytest-asyncio) fails with "Runner.run()
cannot be called from a running event loop". The async API runs on pytest-asyncio's session
loop instead, next to the other async tests.

Accessibility checks use axe-core, as bundled by `axe-playwright-python`. Nothing here does
I/O at import time: Playwright and axe (which reads its script when imported) load on first use.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from axe_playwright_python.async_playwright import Axe
    from playwright.async_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ENV = "MASH_CHROMIUM"  # another Chromium/Chrome binary, used as it is (never installed)
LAUNCH_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
)
SCREENSHOTS_ENV = "MASH_SCREENSHOTS"
DEFAULT_IMPACTS: tuple[str, ...] = ("serious", "critical")

APT_INSTALL_TIMEOUT_S = 600
APT_UPDATE_TIMEOUT_S = 300


class ChromiumUnavailable(RuntimeError):
    """Chromium is not installed and could not be installed."""


# -- Chromium ------------------------------------------------------------------------------


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _apt_get(*args: str, timeout: float) -> tuple[bool, str]:
    """Run apt-get non-interactively; (succeeded, the tail of its output)."""
    command = ["apt-get", "-o", "DPkg::Lock::Timeout=120", *args]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        done = subprocess.run(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"$ {' '.join(command)}\n{exc}"
    output = (done.stdout + done.stderr).strip().splitlines()
    tail = "\n".join(output[-15:])
    return done.returncode == 0, f"$ {' '.join(command)}  (exit {done.returncode})\n{tail}"


def ensure_chromium(path: Path = CHROMIUM) -> Path:
    """The Chromium binary to launch, installed with apt-get first if it is missing.

    Idempotent: an installed Chromium is returned at once. Else `apt-get install -y chromium`,
    and if that fails `apt-get update` and the install again. Raises ChromiumUnavailable
    (with apt-get's output) when there is still no Chromium. `MASH_CHROMIUM` names another
    binary to use instead; that one is never installed.
    """
    override = os.environ.get(CHROMIUM_ENV)
    if override:
        chosen = Path(override)
        if _is_executable(chosen):
            return chosen
        raise ChromiumUnavailable(f"{CHROMIUM_ENV}={override} is not an executable file")
    if _is_executable(path):
        return path
    if shutil.which("apt-get") is None:
        raise ChromiumUnavailable(
            f"{path} is missing and there is no apt-get to install it: install Chromium "
            f"(Debian: apt-get install chromium) or set {CHROMIUM_ENV} to a Chromium binary"
        )
    log: list[str] = []
    steps: list[tuple[tuple[str, ...], float]] = [
        (("install", "-y", "chromium"), APT_INSTALL_TIMEOUT_S),
        (("update",), APT_UPDATE_TIMEOUT_S),
        (("install", "-y", "chromium"), APT_INSTALL_TIMEOUT_S),
    ]
    for args, timeout in steps:
        ok, output = _apt_get(*args, timeout=timeout)
        log.append(output)
        if args[0] == "install" and ok and _is_executable(path):
            return path
    hint = "" if os.geteuid() == 0 else " (not root: run `sudo apt-get install chromium`)"
    raise ChromiumUnavailable(
        f"{path} is missing and apt-get could not install it{hint}:\n\n" + "\n\n".join(log)
    )


@contextlib.asynccontextmanager
async def launched_chromium(
    executable: Path | None = None, *, args: Sequence[str] = LAUNCH_ARGS
) -> AsyncIterator[Browser]:
    """Start Playwright and launch headless Chromium; both stop on exit."""
    from playwright.async_api import async_playwright

    binary = executable if executable is not None else ensure_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(binary), args=list(args), headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()


# -- Accessibility ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """One axe-core rule that fails on the page, and the elements it fails on."""

    id: str
    impact: str | None
    help: str
    help_url: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:5])
        more = f" and {len(self.targets) - 5} more" if len(self.targets) > 5 else ""
        return f"{self.id} [{self.impact}] {self.help}: {shown}{more} ({self.help_url})"


@functools.cache
def _axe() -> Axe:
    from axe_playwright_python.async_playwright import Axe

    return Axe()


def _selector(target: Any) -> str:
    # A node inside an iframe or a shadow root has a list of selectors, outermost first.
    if isinstance(target, list):
        return " >>> ".join(_selector(part) for part in target)
    return str(target)


async def axe_violations(
    page: Page, impacts: Iterable[str] | None = DEFAULT_IMPACTS
) -> list[Violation]:
    """Run axe-core on the page; the violations of the given impacts (None: all of them)."""
    wanted = None if impacts is None else set(impacts)
    results = await _axe().run(page, options={"resultTypes": ["violations"]})
    found = []
    for v in results.response["violations"]:
        if wanted is not None and v.get("impact") not in wanted:
            continue
        found.append(
            Violation(
                id=v["id"],
                impact=v.get("impact"),
                help=v.get("help", ""),
                help_url=v.get("helpUrl", ""),
                targets=tuple(_selector(n.get("target", [])) for n in v.get("nodes", [])),
            )
        )
    return found


async def assert_accessible(
    page: Page, label: str, impacts: Iterable[str] | None = DEFAULT_IMPACTS
) -> None:
    """Fail, listing each rule and element, if axe finds violations of these impacts."""
    wanted = None if impacts is None else tuple(impacts)
    violations = await axe_violations(page, wanted)
    if violations:
        which = "any impact" if wanted is None else " or ".join(wanted)
        lines = "\n".join(f"  - {v}" for v in violations)
        raise AssertionError(
            f"{label} ({page.url}): {len(violations)} accessibility violation(s) of "
            f"{which} impact:\n{lines}"
        )


# -- Screenshots ------------------------------------------------------------------------------


def screenshots_enabled() -> bool:
    return os.environ.get(SCREENSHOTS_ENV, "") == "1"


def screenshots_dir() -> Path:
    """docs/screenshots in the repository (found above this file), else under the cwd."""
    for parent in Path(__file__).resolve().parents:
        if (parent / "uv.lock").is_file() and (parent / "docs").is_dir():
            return parent / "docs" / "screenshots"
    return Path.cwd() / "docs" / "screenshots"


async def screenshot(page: Page, name: str, directory: Path | None = None) -> Path | None:
    """A full-page PNG of the page as `<directory>/<name>.png` (default docs/screenshots).

    The page is captured on every run (so a capture that breaks fails the test), but the
    file is written only with MASH_SCREENSHOTS=1: ordinary runs leave committed files alone.
    Returns the path written, or None.
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name):
        raise ValueError(f"screenshot name {name!r}: use lower-case letters, digits, . _ -")
    png = await page.screenshot(full_page=True, animations="disabled", caret="hide")
    if not screenshots_enabled():
        return None
    target = (directory or screenshots_dir()) / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(png)
    return target
