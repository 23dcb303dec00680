"""Is this child already known? Matching a child to the children of earlier contacts.

Exact on the NHS number. Without one on both sides, candidates are ranked on name (misspelt,
reordered, hyphenated, nicknames), date of birth (typed wrong: digits, day and month swapped)
and postcode, and marked "likely" or "possible". Nothing is merged: a person confirms or rejects
each candidate. No framework, no I/O: the service layer finds candidates through blocking keys
(stored as keyed hashes) and hands their identities here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

Strength = Literal["exact", "likely", "possible"]

# Common English given-name forms: each group is one name. Kept short and obvious on purpose.
_NICKNAME_GROUPS = [
    "william will bill billy liam", "robert rob bob bobby robbie bert",
    "elizabeth liz lizzie beth betty eliza libby", "catherine katherine kate katie cathy kat kathy",
    "alexander alex xander sandy", "alexandra alex lexi sasha", "margaret maggie meg peggy",
    "james jim jimmy jamie", "thomas tom tommy", "michael mike mikey mick", "daniel dan danny",
    "matthew matt", "christopher chris kit", "jonathan john jon johnny jack", "joseph joe joey",
    "samuel sam sammy", "samantha sam sammy", "benjamin ben benny", "oliver ollie olly",
    "charlotte charlie lottie", "charles charlie chas", "edward ed eddie ted ned",
    "jessica jess jessie", "rebecca becky becca", "victoria vicky tori", "jennifer jen jenny",
    "abigail abi abby", "isabella isabelle isabel bella izzy issy", "frederick fred freddie",
    "henry harry hal", "harrison harry", "zachary zac zack", "nathaniel nathan nate",
    "anthony tony", "andrew andy drew", "richard rich rick ricky dick", "stephen steven steve",
    "patrick pat paddy", "sophia sophie soph", "emily em emmy", "amelia millie amy",
    "olivia liv livvy", "eleanor ellie nell", "gabriel gabe", "theodore theo ted",
    "archibald archie", "mohammed muhammad mohammad mohamed", "joshua josh", "lucas luke",
    "nicholas nick nicky", "penelope penny", "susan sue susie", "deborah debbie deb",
    "kimberley kimberly kim", "ronald ron ronnie", "timothy tim timmy", "gregory greg",
]
NICKNAMES: dict[str, frozenset[str]] = {}
for _group in _NICKNAME_GROUPS:
    _names = frozenset(_group.split())
    for _n in _names:
        NICKNAMES[_n] = NICKNAMES.get(_n, frozenset()) | _names


@dataclass(frozen=True)
class Identity:
    """What identifies a child on a contact (opened from intake's own sealed records)."""

    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: date | None = None
    postcode: str | None = None
    nhs_number: str | None = None
    gender: str | None = None
    expected_due_date: date | None = None


@dataclass(frozen=True)
class Match:
    strength: Strength
    score: float
    basis: tuple[str, ...]


def tokens(name: str | None) -> list[str]:
    """Lower case, accents and punctuation gone, hyphenated and double names split."""
    if not name:
        return []
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    plain = plain.replace("'", "")
    return [t for t in re.split(r"[^a-z]+", plain) if t]


def soundex(word: str) -> str:
    codes = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"),
             **dict.fromkeys("dt", "3"), "l": "4", **dict.fromkeys("mn", "5"), "r": "6"}
    if not word:
        return ""
    out, last = word[0].upper(), codes.get(word[0], "")
    for ch in word[1:]:
        code = codes.get(ch, "")
        if code and code != last:
            out += code
        if ch not in "hw":
            last = code
    return (out + "000")[:4]


def jaro_winkler(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    a_hit = [False] * len(a)
    b_hit = [False] * len(b)
    matches = 0
    for i, ch in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not b_hit[j] and b[j] == ch:
                a_hit[i] = b_hit[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    a_seq = [c for c, hit in zip(a, a_hit, strict=True) if hit]
    b_seq = [c for c, hit in zip(b, b_hit, strict=True) if hit]
    transpositions = sum(x != y for x, y in zip(a_seq, b_seq, strict=True)) / 2
    jaro = (matches / len(a) + matches / len(b) + (matches - transpositions) / matches) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)


def word_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if b in NICKNAMES.get(a, ()):
        return 0.95
    score = jaro_winkler(a, b)
    if soundex(a) == soundex(b):
        score = max(score, 0.9)  # sounds the same: Leo / Lea, Zain / Zayn
    return score


def part_similarity(a: list[str], b: list[str]) -> float:
    """One name part (given names, or surname) against another: written together (a dropped
    hyphen), or the best pairing of their words (one half of a double-barrelled name)."""
    if not a or not b:
        return 0.0
    joined = word_similarity("".join(a), "".join(b))
    best = max(word_similarity(x, y) for x in a for y in b)
    if len(a) != len(b):
        best *= 0.97  # Smith-Jones / Jones: probably, not certainly
    return max(joined, best)


def name_similarity(x: Identity, y: Identity) -> tuple[float, float]:
    """(given name, surname) similarity, the better of the written and the swapped order."""
    xf, xl, yf, yl = (tokens(x.first_name), tokens(x.last_name),
                      tokens(y.first_name), tokens(y.last_name))
    straight = (part_similarity(xf, yf), part_similarity(xl, yl))
    swapped = (part_similarity(xf, yl), part_similarity(xl, yf))
    return max(straight, swapped, key=lambda p: p[0] + p[1])


def date_similarity(a: date | None, b: date | None) -> float:
    if a is None or b is None:
        return 0.0
    if a == b:
        return 1.0
    if (a.year, a.month, a.day) == (b.year, b.day, b.month):
        return 0.85  # day and month swapped
    sa, sb = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    differing = [i for i in range(8) if sa[i] != sb[i]]
    if len(differing) == 1:
        return 0.85  # one digit mistyped
    if (len(differing) == 2 and differing[1] == differing[0] + 1
            and sa[differing[0]] == sb[differing[1]] and sa[differing[1]] == sb[differing[0]]):
        return 0.85  # two digits transposed
    if abs((a - b).days) <= 3:
        return 0.7
    return 0.0


def postcode_similarity(a: str | None, b: str | None) -> float:
    if not a or not b:
        return 0.0
    pa, pb = a.replace(" ", "").upper(), b.replace(" ", "").upper()
    if pa == pb:
        return 1.0
    if pa[:-3] == pb[:-3]:
        return 0.5  # same district: moved round the corner, or the inward code mistyped
    return 0.0


NAME_STRONG = 0.85


def compare(new: Identity, earlier: Identity) -> Match | None:
    """Is `earlier` the same child as `new`? None when there is nothing to go on."""
    if new.nhs_number and earlier.nhs_number:
        if new.nhs_number == earlier.nhs_number:
            return Match("exact", 1.0, ("nhs_number",))
        return None  # two NHS numbers that differ: two children
    given, family = name_similarity(new, earlier)
    born = date_similarity(new.date_of_birth or new.expected_due_date,
                           earlier.date_of_birth or earlier.expected_due_date)
    place = postcode_similarity(new.postcode, earlier.postcode)
    score = round(0.3 * given + 0.25 * family + 0.3 * born + 0.15 * place, 3)
    basis = tuple(
        what for what, ok in (("name", given >= NAME_STRONG and family >= NAME_STRONG),
                              ("date_of_birth", born >= 0.85), ("postcode", place == 1.0))
        if ok
    )
    genders = {new.gender, earlier.gender} - {None, "unknown", "other"}
    names = given >= NAME_STRONG and family >= NAME_STRONG
    if names and len(genders) < 2 and (
        born == 1.0 or (born >= 0.85 and place >= 0.5) or (given + family >= 1.95 and born >= 0.85)
    ):
        return Match("likely", score, basis)
    # A possible: a twin, a misspelt name with a wrong birthday, a child who moved.
    if (names and (born >= 0.7 or place == 1.0)) or (
        family >= NAME_STRONG and born == 1.0 and place >= 0.5
    ) or (given >= NAME_STRONG and born == 1.0 and place == 1.0):
        return Match("possible", score, basis)
    return None


def blocking_keys(child: Identity) -> set[str]:
    """Keys under which a child is filed, so that candidates are found without a scan: any one
    key in common makes a candidate. They survive one mistake in any single field."""
    keys: set[str] = set()
    if child.nhs_number:
        keys.add(f"nhs:{child.nhs_number}")
    born = child.date_of_birth or child.expected_due_date
    if born:
        keys.add(f"dob:{born.isoformat()}")
    if child.postcode:
        keys.add(f"pc:{child.postcode.replace(' ', '').upper()}")
    names = tokens(child.first_name) + tokens(child.last_name)
    sounds = {soundex(t) for t in names}
    if born:
        for s in sounds:
            keys.add(f"name-year:{s}:{born.year}")
    given, family = tokens(child.first_name), tokens(child.last_name)
    if given and family:
        pair = sorted((soundex(given[0]), soundex(family[-1])))
        keys.add(f"names:{pair[0]}:{pair[1]}")
    return keys


def rank(new: Identity, earlier: Iterable[tuple[str, Identity]]) -> list[tuple[str, Match]]:
    """Every earlier child that may be `new`, best first."""
    order = {"exact": 0, "likely": 1, "possible": 2}
    found = [(key, m) for key, child in earlier if (m := compare(new, child)) is not None]
    return sorted(found, key=lambda km: (order[km[1].strength], -km[1].score))


def ordinal(n: int) -> str:
    words = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}
    return words.get(n, f"{n}th")
