"""Splitting an amount of money among contributors, in whole cents that always add up.

Plain Python, no Django: the royalty pools call it, and so can the analytics to show what
each rule would have paid for the same pool.

Every rule turns the contributors into weights, and `largest_remainder` turns weights into
cents: each contributor gets the whole cents of their exact quota, and the cents left over
go one each to the largest fractional remainders. **Tie-break**: between equal remainders,
the larger weight first, then the smaller key (member id), so the result never depends on
the order the contributors were given in. The parts add up to the amount exactly, a
contributor with weight 0 gets 0, and two contributors of equal weight differ by one cent
at most (the one with the smaller key gets the extra cent).

Rules:

* `equal`: everyone the same weight.
* `by_shares`: declared shares (co-authors' percentages, or any non-negative numbers).
* `by_roles`: each contributor's roles, each role a weight (e.g. author 3, improver 1).
* `by_shapley`: the Shapley value of a cooperative game whose characteristic function
  ``value(coalition)`` says what a set of contributors' contributions are worth together.
  Exact (every coalition) up to `EXACT_SHAPLEY_LIMIT` contributors; above that, estimated
  from a fixed number of random orders drawn with a fixed seed, so the same input always
  gives the same cents. The estimate keeps the properties the pools rely on: its values add
  up to value(everyone) - value(nobody), and a contributor who adds nothing to any coalition
  gets exactly 0.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from itertools import combinations
from typing import Any, Protocol, TypeVar


class _Orderable(Hashable, Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


K = TypeVar("K", bound=_Orderable)
Number = int | Fraction | Decimal

# 2**16 coalitions: about a second in Python. The sampled estimate takes over above it.
EXACT_SHAPLEY_LIMIT = 16
SHAPLEY_SAMPLES = 2000
SHAPLEY_SEED = 0


class SplitError(ValueError):
    """The amount cannot be split as asked (nobody to pay, a negative weight or amount)."""


def _fraction(value: Number) -> Fraction:
    return Fraction(value)  # exact for int, Fraction and Decimal alike


def largest_remainder(amount: int, weights: Mapping[K, Number]) -> dict[K, int]:
    """Split `amount` cents in proportion to `weights`; the parts add up to `amount` exactly.

    >>> largest_remainder(100, {1: 1, 2: 1, 3: 1})
    {1: 34, 2: 33, 3: 33}
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise SplitError("The amount is a whole number of cents.")
    if amount < 0:
        raise SplitError("The amount cannot be negative.")
    exact = {key: _fraction(weight) for key, weight in weights.items()}
    if any(weight < 0 for weight in exact.values()):
        raise SplitError("A weight cannot be negative.")
    total = sum(exact.values(), Fraction(0))
    if total == 0:
        raise SplitError("Nobody has a positive share to be paid from.")
    keys = sorted(exact)
    quotas = {key: amount * exact[key] / total for key in keys}
    parts = {key: math.floor(quotas[key]) for key in keys}
    left = amount - sum(parts.values())
    order = sorted(keys, key=lambda key: (-(quotas[key] - parts[key]), -exact[key], key))
    for key in order[:left]:
        parts[key] += 1
    return parts


def equal(amount: int, contributors: Iterable[K]) -> dict[K, int]:
    """Everyone the same part; the odd cents go to the smallest keys."""
    return largest_remainder(amount, dict.fromkeys(contributors, 1))


def by_shares(amount: int, shares: Mapping[K, Number]) -> dict[K, int]:
    """In proportion to declared shares (percentages need not add up to 100)."""
    return largest_remainder(amount, shares)


def by_roles(amount: int, roles: Mapping[K, str | Sequence[str]], weights: Mapping[str, Number]) -> dict[K, int]:
    """In proportion to the sum of the weights of each contributor's roles (a role without a weight counts 0)."""
    return largest_remainder(amount, {key: role_weight(held, weights) for key, held in roles.items()})


def role_weight(held: str | Sequence[str], weights: Mapping[str, Number]) -> Fraction:
    names = [held] if isinstance(held, str) else list(held)
    return sum((_fraction(weights.get(name, 0)) for name in names), Fraction(0))


def by_shapley(amount: int, contributors: Iterable[K], value: Callable[[frozenset[K]], Number]) -> dict[K, int]:
    """In proportion to each contributor's Shapley value in the game `value` (which must give none a negative one)."""
    return largest_remainder(amount, shapley_values(contributors, value))


def shapley_values(
    contributors: Iterable[K],
    value: Callable[[frozenset[K]], Number],
    *,
    exact_limit: int = EXACT_SHAPLEY_LIMIT,
    samples: int = SHAPLEY_SAMPLES,
    seed: int = SHAPLEY_SEED,
) -> dict[K, Fraction]:
    """φ_i = Σ_{S⊆N∖i} |S|!(n−|S|−1)!/n! · [v(S∪i) − v(S)], exact up to `exact_limit` players.

    Above it, the mean marginal contribution over `samples` random orders (seeded).

    >>> glove = lambda s: min(len(s & {"L"}), len(s & {"R1", "R2"}))
    >>> shapley_values(["L", "R1", "R2"], glove)
    {'L': Fraction(2, 3), 'R1': Fraction(1, 6), 'R2': Fraction(1, 6)}
    """
    players = sorted(set(contributors))
    n = len(players)
    if n == 0:
        return {}
    cache: dict[frozenset[K], Fraction] = {}

    def v(coalition: frozenset[K]) -> Fraction:
        if coalition not in cache:
            cache[coalition] = _fraction(value(coalition))
        return cache[coalition]

    if n > exact_limit:
        return _sampled(players, v, samples, seed)
    weight = [Fraction(math.factorial(s) * math.factorial(n - s - 1), math.factorial(n)) for s in range(n)]
    values: dict[K, Fraction] = {}
    for player in players:
        others = [p for p in players if p != player]
        total = Fraction(0)
        for size in range(n):
            for chosen in combinations(others, size):
                coalition = frozenset(chosen)
                total += weight[size] * (v(coalition | {player}) - v(coalition))
        values[player] = total
    return values


def _sampled(players: list[K], v: Callable[[frozenset[K]], Fraction], samples: int, seed: int) -> dict[K, Fraction]:
    draw = random.Random(seed)  # a reproducible estimate, not a secret
    sums = dict.fromkeys(players, Fraction(0))
    for _ in range(samples):
        order = players[:]
        draw.shuffle(order)
        coalition: frozenset[K] = frozenset()
        before = v(coalition)
        for player in order:
            coalition = coalition | {player}
            after = v(coalition)
            sums[player] += after - before
            before = after
    return {player: total / samples for player, total in sums.items()}
