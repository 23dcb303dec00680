"""Who is calling. The walking skeleton trusts two headers from the console on loopback;
issue 7 replaces them with a signed token the services verify themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header


@dataclass(frozen=True)
class Caller:
    user: str
    role: str
    agency: str | None = None


def get_caller(
    x_mash_user: Annotated[str, Header(max_length=100)] = "unknown",
    x_mash_role: Annotated[str, Header(max_length=50)] = "unknown",
    x_mash_agency: Annotated[str | None, Header(max_length=50)] = None,
) -> Caller:
    return Caller(user=x_mash_user, role=x_mash_role, agency=x_mash_agency)


CallerDep = Annotated[Caller, Depends(get_caller)]
