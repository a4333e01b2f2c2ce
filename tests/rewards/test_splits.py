"""The royalty split: whole cents that add up to the pool, under every rule."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prosumo.rewards import splits

amounts = st.integers(min_value=0, max_value=10_000_000)
member_ids = st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=12, unique=True)
weights = st.integers(min_value=0, max_value=1000)


@st.composite
def weighted(draw: st.DrawFn) -> dict[int, int]:
    ids = draw(member_ids)
    found = {key: draw(weights) for key in ids}
    if not any(found.values()):
        found[ids[0]] = 1
    return found


def glove(coalition: frozenset[str]) -> int:
    """One left glove and two right ones: a pair is worth 1."""
    return min(len(coalition & {"L"}), len(coalition & {"R1", "R2"}))


@settings(max_examples=60, deadline=None)
@given(amount=amounts, shares=weighted())
def test_parts_add_up_to_the_pool_by_shares(amount, shares):
    parts = splits.by_shares(amount, shares)
    assert sum(parts.values()) == amount
    assert set(parts) == set(shares)
    assert all(part >= 0 for part in parts.values())


@settings(max_examples=60, deadline=None)
@given(amount=amounts, ids=member_ids)
def test_equal_contributors_get_equal_parts_within_a_cent_the_smaller_id_first(amount, ids):
    parts = splits.equal(amount, ids)
    assert sum(parts.values()) == amount
    ordered = [parts[key] for key in sorted(ids)]
    assert max(ordered) - min(ordered) <= 1
    assert ordered == sorted(ordered, reverse=True)  # the odd cents go to the smallest ids


@settings(max_examples=60, deadline=None)
@given(amount=amounts, shares=weighted(), extra=st.integers(min_value=10_001, max_value=20_000))
def test_a_zero_share_gets_nothing_and_does_not_change_the_others(amount, shares, extra):
    without = splits.by_shares(amount, shares)
    with_zero = splits.by_shares(amount, {**shares, extra: 0})
    assert with_zero[extra] == 0
    assert {k: v for k, v in with_zero.items() if k != extra} == without


@settings(max_examples=60, deadline=None)
@given(amount=amounts, shares=weighted(), twin=st.integers(min_value=10_001, max_value=20_000))
def test_two_contributors_with_equal_shares_differ_by_one_cent_at_most(amount, shares, twin):
    some = min(shares)
    parts = splits.by_shares(amount, {**shares, twin: shares[some]})
    assert abs(parts[some] - parts[twin]) <= 1
    if parts[some] != parts[twin]:
        assert parts[some] > parts[twin]  # the smaller id takes the extra cent


@settings(max_examples=40, deadline=None)
@given(amount=amounts, shares=weighted())
def test_the_order_of_the_contributors_does_not_change_the_split(amount, shares):
    reversed_order = dict(reversed(list(shares.items())))
    assert splits.by_shares(amount, shares) == splits.by_shares(amount, reversed_order)


@settings(max_examples=40, deadline=None)
@given(amount=amounts, ids=member_ids, data=st.data())
def test_by_roles_adds_up_and_a_weightless_role_gets_nothing(amount, ids, data):
    role_weights = {"author": 3, "improver": 1, "supporter": 0}
    roles = {key: data.draw(st.sampled_from(["author", "improver", "supporter"])) for key in ids}
    roles[ids[0]] = "author"
    parts = splits.by_roles(amount, roles, role_weights)
    assert sum(parts.values()) == amount
    assert all(parts[key] == 0 for key, role in roles.items() if role == "supporter")


def test_by_roles_sums_the_weights_of_several_roles():
    parts = splits.by_roles(1000, {1: ["author", "improver"], 2: "improver"}, {"author": 3, "improver": 1})
    assert parts == {1: 800, 2: 200}


def test_the_glove_game_gives_two_thirds_a_sixth_and_a_sixth():
    values = splits.shapley_values(["L", "R1", "R2"], glove)
    assert values == {"L": Fraction(2, 3), "R1": Fraction(1, 6), "R2": Fraction(1, 6)}
    # in cents: 600.00 -> 400, 100, 100 exactly; 100 cents -> 66.67, 16.67, 16.67 -> 67, 17, 16
    assert splits.by_shapley(60_000, ["L", "R1", "R2"], glove) == {"L": 40_000, "R1": 10_000, "R2": 10_000}
    assert splits.by_shapley(100, ["L", "R1", "R2"], glove) == {"L": 67, "R1": 17, "R2": 16}


@st.composite
def games(draw: st.DrawFn) -> tuple[list[int], dict[frozenset[int], int], int]:
    """A random monotone game on a few players, plus a null player who adds nothing."""
    players = draw(st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=5, unique=True))
    worth = {player: draw(st.integers(min_value=0, max_value=20)) for player in players}
    synergy = draw(st.integers(min_value=0, max_value=10))
    table: dict[frozenset[int], int] = {}

    def v(coalition: frozenset[int]) -> int:
        return sum(worth[p] for p in coalition) + (synergy if len(coalition) >= 2 else 0)

    from itertools import chain, combinations

    for subset in chain.from_iterable(combinations(players, r) for r in range(len(players) + 1)):
        table[frozenset(subset)] = v(frozenset(subset))
    return players, table, 99


@settings(max_examples=40, deadline=None)
@given(game=games(), amount=amounts)
def test_shapley_is_efficient_and_a_null_player_gets_nothing(game, amount):
    players, table, null = game
    everyone = [*players, null]

    def v(coalition: frozenset[int]) -> int:
        return table[coalition - {null}]

    values = splits.shapley_values(everyone, v)
    assert sum(values.values()) == v(frozenset(everyone)) - v(frozenset())
    assert values[null] == 0
    if v(frozenset(everyone)) > 0:
        parts = splits.by_shapley(amount, everyone, v)
        assert sum(parts.values()) == amount
        assert parts[null] == 0


def test_above_the_exact_limit_the_estimate_is_efficient_repeatable_and_gives_a_null_player_nothing():
    players = list(range(1, splits.EXACT_SHAPLEY_LIMIT + 3))

    def v(coalition: frozenset[int]) -> int:
        # player 1 adds nothing; the others each add their id, and any pair of even ids adds 5 more
        evens = len([p for p in coalition if p % 2 == 0])
        return sum(p for p in coalition if p != 1) + (5 if evens >= 2 else 0)

    values = splits.shapley_values(players, v, samples=200)
    assert sum(values.values()) == v(frozenset(players))
    assert values[1] == 0
    assert splits.shapley_values(players, v, samples=200) == values
    parts = splits.by_shapley(123_456, players, v)
    assert sum(parts.values()) == 123_456
    assert parts[1] == 0


def test_the_exact_values_match_the_sampled_ones_when_both_are_asked_for_an_additive_game():
    # in an additive game every order gives each player their own worth: both methods agree exactly
    worth = {1: 5, 2: 7, 3: 0}
    exact = splits.shapley_values(worth, lambda s: sum(worth[p] for p in s))
    sampled = splits.shapley_values(worth, lambda s: sum(worth[p] for p in s), exact_limit=1, samples=10)
    assert exact == sampled == {1: 5, 2: 7, 3: 0}


@pytest.mark.parametrize(
    ("amount", "shares", "message"),
    [
        (100, {1: 0, 2: 0}, "Nobody has a positive share"),
        (100, {}, "Nobody has a positive share"),
        (-1, {1: 1}, "cannot be negative"),
        (100, {1: -1, 2: 2}, "A weight cannot be negative"),
    ],
)
def test_a_split_that_cannot_be_made_says_why(amount, shares, message):
    with pytest.raises(splits.SplitError, match=message):
        splits.by_shares(amount, shares)


def test_a_negative_shapley_value_is_refused():
    # a spoiler who lowers every coalition's worth has a negative value: no rule pays it
    def v(coalition: frozenset[str]) -> int:
        return 10 * ("a" in coalition) - 4 * ("spoiler" in coalition)

    with pytest.raises(splits.SplitError, match="A weight cannot be negative"):
        splits.by_shapley(100, ["a", "spoiler"], v)


def test_decimal_shares_as_the_ideas_app_stores_them():
    from decimal import Decimal

    assert splits.by_shares(1001, {7: Decimal("66.67"), 3: Decimal("33.33")}) == {3: 334, 7: 667}


def test_the_examples_in_the_docstrings_run():
    import doctest

    result = doctest.testmod(splits, verbose=False)
    assert result.attempted == 3
    assert result.failed == 0
