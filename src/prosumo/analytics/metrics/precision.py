"""How few members are too few for a 95% interval: one minimum for every section.

Below :data:`MIN_GROUP_FOR_INTERVAL` members in a group compared, an interval (bootstrap,
normal, score or posterior) only looks precise: resampling one member always draws the
same member, and a normal or score interval from four members rests on an assumption the
data cannot check. The metrics then return no interval and a note that says why, and
the sections show :data:`TOO_FEW` in its place.
"""

from __future__ import annotations

from collections.abc import Mapping

#: The fewest members a group needs for a 95% interval.
MIN_GROUP_FOR_INTERVAL = 10
#: What a section shows instead of an interval below the minimum.
TOO_FEW = "too few"


def enough_for_interval(*sizes: int) -> bool:
    """Whether every group has at least :data:`MIN_GROUP_FOR_INTERVAL` members.

    Examples
    --------
    >>> enough_for_interval(10, 25), enough_for_interval(9, 400), enough_for_interval()
    (True, False, True)
    """
    return all(int(n) >= MIN_GROUP_FOR_INTERVAL for n in sizes)


def too_few_note(what: str, sizes: Mapping[str, int], unit: str = "members") -> str:
    """The note a metric returns when a group is below the minimum: the groups and their sizes in ``unit``.

    Examples
    --------
    >>> too_few_note("the return-rate difference", {"answered": 1, "unanswered": 40})
    'No 95% interval for the return-rate difference: answered 1, unanswered 40 members; each group needs at least 10.'
    """
    counts = ", ".join(f"{name} {int(n)}" for name, n in sizes.items())
    sized = f"{counts} {unit}" if unit else counts
    return f"No 95% interval for {what}: {sized}; each group needs at least {MIN_GROUP_FOR_INTERVAL}."
