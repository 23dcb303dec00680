"""Synthetic children for measuring identity matching: invented people, realistic mistakes.

Distinct children (with siblings and twins, who share a surname, an address and for twins a date
of birth: the hard negatives), then later records of some of them as a second referrer would
write them: a typo in a name, a nickname, names swapped, a hyphen dropped or half a
double-barrelled name, a date of birth typed wrong, a house move, a postcode left out.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, replace
from datetime import date, timedelta

from mash_intake.domain.matching import NICKNAMES, Identity


def words(text: str) -> list[str]:
    return text.split()


FIRST_F = words("Ava Amelia Olivia Isla Freya Lily Ivy Florence Willow Rosie Sophia Isabella Grace "
           "Daisy Sienna Poppy Elsie Emily Ella Evelyn Phoebe Sofia Evie Charlotte Matilda Ruby "
           "Harper Maya Aisha Amara Zara Hana Fatima Maryam Zainab Priya Anaya Chloe Jessica "
           "Eleanor Abigail Rebecca Victoria Samantha Katherine Elizabeth Margaret Jennifer Esme "
           "Nia Aoife Niamh Orla Kacper Zuzanna Julia Lena Alicja Oliwia Agnieszka")
FIRST_M = words("Noah Oliver George Arthur Muhammad Leo Harry Oscar Archie Henry Theodore Freddie "
           "Jack Charlie Finley Alfie Thomas William James Joshua Samuel Daniel Benjamin "
           "Alexander Michael Matthew Christopher Jonathan Joseph Edward Robert Nicholas "
           "Zachary Nathaniel Anthony Andrew Richard Stephen Patrick Gabriel Lucas Jayden "
           "Harvey Yusuf Zain Ibrahim Ayaan Rohan Arjun Kwame Kofi Chidi Emeka Tomasz Jakub "
           "Szymon Ciaran Declan Rhys Dylan Callum Kai")
SURNAMES = words("Smith Jones Williams Brown Taylor Davies Evans Wilson Thomas Johnson Roberts "
            "Robinson Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke "
            "Patel Jackson Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker "
            "Harrison Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young "
            "Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy "
            "Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson "
            "Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews "
            "Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens "
            "Jenkins Murray Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard "
            "Andrews Stewart Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West "
            "Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton O'Brien Watts Rose "
            "Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson Newman Barrett "
            "Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone "
            "Reid Holland Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy Williamson "
            "Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton Burns "
            "Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne Sutton "
            "McDonald Yates Hodgson Robson Curtis Hopkins O'Connor Harper Coleman Watkins Moss "
            "McCarthy Chambers O'Neill Griffin Sharp Hardy Wheeler Potter Osborne Johnston "
            "Nowak Kowalski Wisniewski Okafor Adeyemi Mensah Asante Nguyen Chen Wang")
OUTWARD = [f"MK{n}" for n in range(1, 20)] + ["MK40", "MK41", "MK42", "MK43", "MK44", "MK45",
                                              "MK46", "NN12", "LU7", "HP19"]
TODAY = date(2026, 11, 2)


@dataclass(frozen=True)
class Record:
    person: int
    identity: Identity


def nhs_number(rng: random.Random) -> str:
    while True:
        nine = [rng.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(nine, range(10, 1, -1), strict=True)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return "".join(map(str, nine)) + str(check)


def postcode(rng: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"{rng.choice(OUTWARD)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def typo(rng: random.Random, word: str) -> str:
    """One slip of the keyboard or the ear: a letter dropped, doubled, swapped or wrong."""
    if len(word) < 3:
        return word + word[-1]
    i = rng.randrange(1, len(word))  # the first letter is the one people get right
    kind = rng.choice(["drop", "double", "swap", "wrong", "vowel"])
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap" and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "vowel" and word[i].lower() in "aeiouy":
        return word[:i] + rng.choice([v for v in "aeiouy" if v != word[i].lower()]) + word[i + 1:]
    return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1:]


def wrong_date(rng: random.Random, d: date) -> date:
    for _ in range(20):
        kind = rng.choice(["digit", "swap"])
        try:
            if kind == "swap" and d.day <= 12 and d.day != d.month:
                return date(d.year, d.day, d.month)
            s = d.strftime("%Y%m%d")
            i = rng.choice([3, 5, 7])  # last digit of year, month or day
            candidate = s[:i] + str(rng.randint(0, 9)) + s[i + 1:]
            new = date(int(candidate[:4]), int(candidate[4:6]), int(candidate[6:]))
            if new != d:
                return new
        except ValueError:
            continue
    return d


def nickname(rng: random.Random, first: str) -> str | None:
    forms = sorted(NICKNAMES.get(first.lower(), frozenset()) - {first.lower()})
    return rng.choice(forms).capitalize() if forms else None


def perturb(rng: random.Random, child: Identity) -> Identity:
    """The same child, written by someone else: one or two realistic differences."""
    first, last = child.first_name or "", child.last_name or ""
    kinds = ["first_typo", "last_typo", "nickname", "swap", "hyphen", "dob", "moved",
             "no_postcode", "none"]
    weights = [18, 18, 10, 6, 6, 10, 14, 8, 10]
    out = child
    for kind in dict.fromkeys(rng.choices(kinds, weights, k=rng.choice([1, 1, 2]))):
        if kind == "first_typo":
            out = replace(out, first_name=typo(rng, out.first_name or first))
        elif kind == "last_typo":
            out = replace(out, last_name=typo(rng, out.last_name or last))
        elif kind == "nickname" and (nick := nickname(rng, first)):
            out = replace(out, first_name=nick)
        elif kind == "swap":
            out = replace(out, first_name=out.last_name, last_name=out.first_name)
        elif kind == "hyphen" and "-" in last:
            a, b = last.split("-")
            out = replace(out, last_name=rng.choice([f"{a} {b}", f"{a}{b}", a, b]))
        elif kind == "dob" and out.date_of_birth:
            out = replace(out, date_of_birth=wrong_date(rng, out.date_of_birth))
        elif kind == "moved":
            out = replace(out, postcode=postcode(rng))
        elif kind == "no_postcode":
            out = replace(out, postcode=None)
    return out


def generate(seed: int = 20261102, children: int = 1200, repeated: int = 360) -> list[Record]:
    """Records in the order contacts arrive: distinct children, then repeats of some of them."""
    rng = random.Random(seed)
    people: list[Identity] = []
    while len(people) < children:
        gender = rng.choice(["female", "male"])
        last = rng.choice(SURNAMES)
        if rng.random() < 0.06:
            last = f"{last}-{rng.choice(SURNAMES)}"
        dob = TODAY - timedelta(days=rng.randint(30, 17 * 365))
        child = Identity(
            first_name=rng.choice(FIRST_F if gender == "female" else FIRST_M), last_name=last,
            date_of_birth=dob, postcode=postcode(rng), gender=gender,
            nhs_number=nhs_number(rng) if rng.random() < 0.5 else None,
        )
        people.append(child)
        roll = rng.random()
        if roll < 0.12 and len(people) < children:  # a sibling: same family, another child
            g = rng.choice(["female", "male"])
            people.append(replace(
                child, first_name=rng.choice(FIRST_F if g == "female" else FIRST_M), gender=g,
                date_of_birth=dob - timedelta(days=rng.randint(300, 3000)),
                nhs_number=nhs_number(rng) if child.nhs_number else None))
        elif roll < 0.16 and len(people) < children:  # a twin: same birthday too
            g = rng.choice(["female", "male"])
            people.append(replace(
                child, first_name=rng.choice(FIRST_F if g == "female" else FIRST_M), gender=g,
                nhs_number=nhs_number(rng) if child.nhs_number else None))
    records = [Record(i, p) for i, p in enumerate(people)]
    for person in rng.sample(range(len(people)), repeated):
        for _ in range(rng.choice([1, 1, 1, 2])):
            again = perturb(rng, people[person])
            if rng.random() < 0.5:
                again = replace(again, nhs_number=None)  # the second referrer did not know it
            records.append(Record(person, again))
    return records
