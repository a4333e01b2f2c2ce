"""The survey templates shipped with the product: their items, the keys the analytics read, and the scale.

Each item's ``key`` is the name the community dataset's ``surveys`` table carries in its
``item`` column (docs/dataset.md), so the analytics find it without a mapping:
``motive_*`` and ``cost_*`` are Etgar's co-production drivers (the propensity section's
drivers table), ``lead_at_*`` and ``lead_heb_*`` the two lead-user scales (the innovation
ranking's survey part), ``satisfaction`` the effectiveness section's comparison. The
wording is ours, after the published scales (docs/surveys.md names them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

#: The Likert scale of every item: 1 to 7, 4 in the middle (the analytics centre items at 4).
SCALE_MIN = 1
SCALE_MAX = 7
SCALE_LABELS: dict[int, Promise] = {
    1: _("Strongly disagree"),
    2: _("Disagree"),
    3: _("Somewhat disagree"),
    4: _("Neither agree nor disagree"),
    5: _("Somewhat agree"),
    6: _("Agree"),
    7: _("Strongly agree"),
}


@dataclass(frozen=True)
class Item:
    """One statement a member rates on the scale."""

    key: str
    text: Promise


@dataclass(frozen=True)
class Template:
    """A survey as shipped: its key, the title members see (a catalogue message), an introduction, the items."""

    key: str
    title: str  # the English source; shown through gettext, and stored in notification phrases as is
    intro: Promise
    items: tuple[Item, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(item.key for item in self.items)


CO_PRODUCTION = Template(
    key="co_production",
    title=gettext_noop("Why you take part, and what it costs you"),
    intro=_(
        "Seven statements about taking part in this community. How much do you agree with each? "
        "There are no right answers, and you can change yours until the survey closes."
    ),
    items=(
        Item(
            "motive_econ",
            _("Taking part here gets me something of value: rewards, discounts or products that suit me better."),
        ),
        Item("motive_psych", _("I enjoy taking part here: I can be creative and proud of what I make.")),
        Item("motive_social", _("Taking part here connects me with other people and earns me their recognition.")),
        Item("cost_econ", _("Taking part here costs me more time or money than it is worth.")),
        Item("cost_psych", _("Taking part here takes a lot of effort and is sometimes frustrating.")),
        Item("cost_social", _("I worry about how others judge what I share here.")),
        Item("satisfaction", _("Overall, I am satisfied with this community.")),
    ),
)

LEAD_USER = Template(
    key="lead_user",
    title=gettext_noop("New products and your needs"),
    intro=_(
        "Six statements about new products and what you need from them. How much do you agree with each? "
        "You can change your answers until the survey closes."
    ),
    items=(
        Item("lead_at_1", _("I usually hear about new products and solutions before most people do.")),
        Item("lead_at_2", _("Using new products early has brought me real benefits.")),
        Item("lead_at_3", _("People I know see me as someone at the leading edge of new products.")),
        Item("lead_heb_1", _("I have needs that the products on offer today do not meet.")),
        Item("lead_heb_2", _("I am often dissatisfied with the products I use now.")),
        Item("lead_heb_3", _("A better product for these needs would be worth a lot to me.")),
    ),
)

TEMPLATES: dict[str, Template] = {t.key: t for t in (CO_PRODUCTION, LEAD_USER)}
TEMPLATE_CHOICES = [
    (CO_PRODUCTION.key, _("Why you take part, and what it costs you")),
    (LEAD_USER.key, _("New products and your needs")),
]
