"""Generator profiles: the rates that differ between the benchmark and the demo community.

``bench`` is the original calibration, made to measure analytics at scale: few ideas per
writer, most of them decided long ago, a flat level of activity over the window. ``demo``
is what a person opening a trial site should see: the same members and the same 90-9-1
participation (the same writers, drawn by the same model), but the writers write more
ideas, activity grows towards the present, a few campaigns are running now, a moderator
answers each idea within days (the newest still wait), and ideas stay open for support
for about a month before review. The planted truth (``truth.json``) records the profile
and the acceptance model it used, so every check of the truth reads its own parameters.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """Rates of one profile; times are in days.

    Attributes
    ----------
    name:
        ``"bench"`` or ``"demo"``.
    lead_ideas:
        Ideas per lead user: ``base + Poisson(mean)``.
    superuser_ideas:
        Ideas per other superuser: ``1 + floor(LogNormal(log(median), sigma))``.
    engager_ideas:
        Probabilities of 0, 1, 2, ... ideas for every other contributor.
    idea_beta:
        Beta(a, b) law of where in a non-lead writer's tenure each idea falls
        (a > b puts ideas late in the tenure: the community grows busier).
    idea_growth:
        Demo: other writers' ideas fall between their joining and the end with density
        ``exp(idea_growth * t / days)`` (the community grows busier), instead of
        ``idea_beta``; None keeps the Beta law.
    activity_power:
        Votes and comments fall at ``first + U ** (1 / power) * (end - first)``, U uniform;
        1 is uniform, 2 has a density rising linearly towards the end of the window.
    engager_votes, superuser_votes:
        Median of the log-normal rate of further votes per voter.
    talk_share, talker_comments, superuser_comments:
        Share of engagers who comment; medians of their comment rates.
    coauthor_share:
        Probability that an idea gets co-authors: (superuser's idea, anyone else's).
    accept_logit:
        Logit of acceptance for lead users and others (``QUALITY_SLOPE`` times the
        idea's quality is added).
    waiting_share:
        Bench: share of ideas that never get past "open" (lead users, others).
    waiting_window, waiting_recent_share, waiting_max:
        Demo: an idea younger than ``waiting_window`` days waits for its moderator with
        probability ``waiting_recent_share``, and at most the newest ``waiting_max`` wait
        (the moderators answer oldest first); every older idea has been answered.
    open_days:
        Median of the log-normal delay from submission to "open" (the moderator's answer
        in the demo, a technical delay in the bench).
    review_days, review_sigma, review_share:
        Log-normal delay from "open" to the reviewers' decision to review or decline, and
        the share of not-accepted ideas that go through review first.
    decide_days, develop_days, launch_days:
        Medians of the following steps' log-normal delays.
    themed_weight:
        Weight of a themed campaign against "Open ideas" when an idea fits both.
    campaign_pull:
        Demo: probability that an idea whose theme fits a running themed campaign is
        written for it (its product is one that campaign asks about); 0 in the bench.
    running_campaigns:
        Demo: how many themed campaigns run now (low, high inclusive) and how many ended
        (low, high inclusive); None keeps the bench's random calendar.
    touch_share:
        Demo: share of members who followed one or two tracked links (``member.touched``,
        a marketing channel other than referral) in the 30 days before joining, so that
        channel credit has multi-touch journeys; 0 in the bench.
    survey_response_rate:
        Share of regular members who answer the surveys (their motive, cost, lead-user and
        satisfaction items): 0.3 in the bench; the demo's staff put the surveys to every
        member and 0.9 answer, enough for the Etgar drivers to be estimated on a few hundred
        members (docs/surveys.md).
    """

    name: str
    lead_ideas: tuple[int, float]
    superuser_ideas: tuple[float, float]
    engager_ideas: tuple[float, ...]
    idea_beta: tuple[float, float]
    idea_growth: float | None
    activity_power: float
    engager_votes: float
    superuser_votes: float
    talk_share: float
    talker_comments: float
    superuser_comments: float
    coauthor_share: tuple[float, float]
    accept_logit: dict[str, float]
    waiting_share: dict[str, float]
    waiting_window: float | None
    waiting_recent_share: float
    waiting_max: int
    open_days: float
    review_days: float
    review_sigma: float
    review_share: float
    decide_days: float
    develop_days: float
    launch_days: float
    themed_weight: float
    campaign_pull: float
    running_campaigns: tuple[tuple[int, int], tuple[int, int]] | None
    touch_share: float = 0.0
    survey_response_rate: float = 0.3


BENCH = Profile(
    name="bench",
    lead_ideas=(4, 3.0),
    superuser_ideas=(4.0, 0.8),
    engager_ideas=(0.80, 0.17, 0.03),
    idea_beta=(1.0, 1.3),
    idea_growth=None,
    activity_power=1.0,
    engager_votes=1.2,
    superuser_votes=40.0,
    talk_share=0.35,
    talker_comments=1.0,
    superuser_comments=12.0,
    coauthor_share=(0.15, 0.06),
    accept_logit={"lead": 0.3, "other": -3.3},
    waiting_share={"lead": 0.03, "other": 0.12},
    waiting_window=None,
    waiting_recent_share=0.0,
    waiting_max=0,
    open_days=0.4,
    review_days=16.0,
    review_sigma=0.7,
    review_share=0.45,
    decide_days=21.0,
    develop_days=30.0,
    launch_days=90.0,
    themed_weight=5.0,
    campaign_pull=0.0,
    running_campaigns=None,
)

DEMO = Profile(
    name="demo",
    lead_ideas=(6, 6.0),
    superuser_ideas=(30.0, 0.3),
    engager_ideas=(0.80, 0.03, 0.04, 0.04, 0.03, 0.03, 0.03),
    idea_beta=(2.2, 1.0),
    idea_growth=5.5,
    activity_power=2.0,
    engager_votes=12.0,
    superuser_votes=120.0,
    talk_share=0.35,
    talker_comments=4.0,
    superuser_comments=40.0,
    coauthor_share=(0.35, 0.2),
    accept_logit={"lead": 1.2, "other": -0.2},
    waiting_share={"lead": 0.0, "other": 0.0},
    waiting_window=18.0,
    waiting_recent_share=0.55,
    waiting_max=14,
    open_days=1.0,
    review_days=30.0,
    review_sigma=0.5,
    review_share=0.85,
    decide_days=18.0,
    develop_days=20.0,
    launch_days=60.0,
    themed_weight=30.0,
    campaign_pull=0.7,
    running_campaigns=((2, 3), (3, 4)),
    touch_share=0.4,
    survey_response_rate=0.9,
)

PROFILES = {profile.name: profile for profile in (BENCH, DEMO)}


def get_profile(name: str) -> Profile:
    """The profile called ``name``; a clear error for any other name."""
    if name not in PROFILES:
        raise ValueError(f"profile must be one of {sorted(PROFILES)}, got {name!r}")
    return PROFILES[name]
