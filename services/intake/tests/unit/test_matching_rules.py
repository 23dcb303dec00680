"""How a child on a new contact is matched to the children of earlier ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from mash_intake.domain.matching import Identity, blocking_keys, compare, ordinal

AVA = Identity("Ava", "Brook-Okafor", date_of_birth=date(2017, 5, 1), postcode="MK9 3EP",
               gender="female")


def strength(other: Identity) -> str | None:
    m = compare(other, AVA)
    return m.strength if m else None


def test_the_same_nhs_number_is_exact_and_different_ones_are_two_children() -> None:
    a, b = replace(AVA, nhs_number="9434765919"), replace(AVA, nhs_number="4010232137")
    assert compare(a, replace(AVA, first_name="Zed", nhs_number="9434765919")).basis == (
        "nhs_number",)  # type: ignore[union-attr]
    assert compare(a, b) is None


def test_misspelt_reordered_hyphenated_and_nicknamed_names_are_likely() -> None:
    assert strength(replace(AVA, first_name="Avva")) == "likely"
    assert strength(replace(AVA, first_name="Brook-Okafor", last_name="Ava")) == "likely"
    assert strength(replace(AVA, last_name="Okafor")) == "likely"
    assert strength(replace(AVA, last_name="Brook Okafor")) == "likely"
    billy = Identity("Billy", "Hughes", date_of_birth=date(2016, 1, 2))
    assert compare(billy, replace(billy, first_name="William")).strength == "likely"  # type: ignore[union-attr]


def test_a_mistyped_birthday_is_likely_only_with_the_postcode_or_a_near_perfect_name() -> None:
    amara = Identity("Amara", "Brook", date_of_birth=date(2017, 5, 1), postcode="MK9 3EP")
    swapped = date(2017, 1, 5)
    assert compare(replace(amara, date_of_birth=swapped), amara).strength == "likely"  # type: ignore[union-attr]
    amira = replace(amara, first_name="Amira", date_of_birth=swapped)
    assert compare(replace(amira, postcode=None), amara).strength == "possible"  # type: ignore[union-attr]
    assert compare(amira, amara).strength == "likely"  # type: ignore[union-attr]


def test_a_different_birthday_and_address_is_at_most_possible() -> None:
    assert strength(replace(AVA, date_of_birth=date(2015, 3, 9), postcode="LU7 1AA")) is None
    near = replace(AVA, date_of_birth=date(2017, 4, 29), postcode="LU7 1AA")
    assert strength(near) == "possible"


def test_a_different_gender_is_never_likely() -> None:
    assert strength(replace(AVA, gender="male")) == "possible"


def test_blocking_keys_survive_one_mistake_in_any_field() -> None:
    keys = blocking_keys(AVA)
    for changed in (replace(AVA, date_of_birth=date(2018, 5, 1)), replace(AVA, postcode=None),
                    replace(AVA, first_name="Eva"), replace(AVA, last_name="Smith")):
        assert keys & blocking_keys(changed)


def test_ordinals_read_as_words() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 7)] == ["first", "second", "third", "7th"]
