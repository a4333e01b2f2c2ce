"""Members: who joins when and through which channel, who takes part, who refers whom.

The participation model is the planted truth behind two analytics checks:

* **Channel activation.** A member becomes a *contributor* (votes, comments, submits or
  co-authors at least once) with probability
  ``P = sigmoid(a_channel + b_tier + sum_k beta_k (s_k - 4))`` where ``s_k`` are the six
  Etgar motive/cost survey scores (1-7). The intercepts ``a_channel`` are solved so that the
  marginal probability per channel equals :data:`ACTIVATION` exactly (tier and scores are
  drawn independently of the channel), so the true activation rate of each channel is
  known.
* **Survey model (Etgar's co-production decision).** The same logistic model, with the
  coefficients :data:`SURVEY_COEFFICIENTS`; surveys are answered by a random subset of
  members, so a logit fitted on respondents recovers them.

Among contributors, ``~1%`` of members become *superusers* (they write most ideas) and a
few of those are *lead users* (their ideas are novel, early on growing themes and far
more often accepted). Superusers are the *prosumers* of the influence check: a referred
member's referrer is drawn with weight :data:`PROSUMER_INFLUENCE` for prosumers and 1
for everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prosumo.synth import words
from prosumo.synth.sampling import (
    bass_cdf,
    bass_inverse_cdf,
    calibrate_intercept,
    likert,
    prefix_choice,
    sigmoid,
)

ACTIVATION = {"email": 0.10, "social": 0.06, "search": 0.08, "referral": 0.16, "event": 0.22, "partner": 0.12}
SURVEY_COEFFICIENTS = {
    "motive_econ": 0.25,
    "motive_psych": 0.35,
    "motive_social": 0.30,
    "cost_econ": -0.20,
    "cost_psych": -0.30,
    "cost_social": -0.15,
}
TIER_EFFECTS = {"bronze": 0.0, "silver": 0.5, "gold": 1.2}
SCORE_MEAN, SCORE_SD = 4.0, 1.4
PROSUMER_INFLUENCE = 4.5
BASS_P, BASS_Q, BASS_PERIODS = 0.012, 0.22, 24
SURVEY_RESPONSE_RATE = 0.3


@dataclass
class People:
    """Per-member arrays, index ``i`` is member id ``i + 1``; ids follow joining order."""

    member_id: np.ndarray
    joined: np.ndarray  # days since start
    is_staff: np.ndarray
    staff_role: np.ndarray  # object: role or None
    tier: np.ndarray  # int8 code into words.TIERS, -1 for staff
    language: np.ndarray  # int8 code into words.LANGUAGES
    country: np.ndarray  # object
    channel: np.ndarray  # int8 code into words.CHANNELS, -1 for staff
    referred_by: np.ndarray  # int64 member id, -1 none
    scores: np.ndarray  # (n, 6) motive/cost scores, float64
    lead_items: np.ndarray  # (n, 6) lead-user items
    activation_probability: np.ndarray
    contributor: np.ndarray  # planted flag
    superuser: np.ndarray
    lead: np.ndarray
    respondent: np.ndarray
    activity: np.ndarray  # weight for being picked as voter / commenter
    name_adjective: np.ndarray  # int index
    name_animal: np.ndarray
    intercepts: dict[str, float]
    bass_m: float

    @property
    def n(self) -> int:
        """Number of members, staff included."""
        return len(self.member_id)


def staff_count(members: int) -> int:
    """Staff accounts in a community of ``members`` (4, plus one per 100,000 members)."""
    return 4 + members // 100_000


def channel_intercepts() -> dict[str, float]:
    """Intercepts ``a_c`` that make each channel's activation probability exactly :data:`ACTIVATION`."""
    coefficients = tuple(SURVEY_COEFFICIENTS[k] for k in words.SURVEY_MOTIVES)
    tiers = tuple(TIER_EFFECTS[t] for t in words.TIERS)
    return {
        channel: calibrate_intercept(rate, coefficients, tiers, words.TIER_PROBABILITIES, SCORE_MEAN, SCORE_SD)
        for channel, rate in ACTIVATION.items()
    }


def make_people(
    rng: np.random.Generator,
    members: int,
    days: float,
    languages: tuple[str, ...],
    response_rate: float = SURVEY_RESPONSE_RATE,
) -> People:
    """Draw the members table's latent and observed columns for ``members`` accounts.

    ``response_rate`` is the share of regular members who answer the surveys; it moves
    no other draw (the same uniform numbers are compared with it).
    """
    n_staff = staff_count(members)
    n = members
    regular = np.arange(n) >= n_staff
    n_regular = int(regular.sum())

    # joining times: Bass diffusion over BASS_PERIODS periods spanning the window
    period = days / BASS_PERIODS
    f_end = bass_cdf(BASS_PERIODS, BASS_P, BASS_Q)
    joined = np.zeros(n)
    joined[n_staff:] = np.sort(bass_inverse_cdf(rng.random(n_regular) * f_end, BASS_P, BASS_Q) * period)
    joined[n_staff:] = np.clip(joined[n_staff:], 1e-3, days * (1 - 1e-6))

    language_probs = np.array([0.6, 0.4]) if len(languages) == 2 else np.array([1.0])
    language_codes = np.array([words.LANGUAGES.index(code) for code in languages], dtype=np.int8)
    language = language_codes[rng.choice(len(language_codes), n, p=language_probs)]
    country = np.empty(n, dtype=object)
    for code, name in enumerate(words.LANGUAGES):
        rows = np.flatnonzero(language == code)
        names = [country_code for country_code, _ in words.COUNTRIES[name]]
        probs = [share for _, share in words.COUNTRIES[name]]
        country[rows] = np.asarray(names, dtype=object)[rng.choice(len(names), len(rows), p=probs)]

    tier = rng.choice(3, n, p=words.TIER_PROBABILITIES).astype(np.int8)
    channel = rng.choice(len(words.CHANNELS), n, p=words.CHANNEL_PROBABILITIES).astype(np.int8)
    tier[~regular] = -1
    channel[~regular] = -1
    staff_role = np.full(n, None, dtype=object)
    roles = [words.STAFF_ROLES[min(i, 2)] for i in range(n_staff)]
    staff_role[:n_staff] = roles

    # Etgar motive / cost scores and the planted participation model
    scores = likert(rng, SCORE_MEAN, SCORE_SD, n * 6).reshape(n, 6)
    intercepts = channel_intercepts()
    beta = np.array([SURVEY_COEFFICIENTS[k] for k in words.SURVEY_MOTIVES])
    a = np.array([intercepts[c] for c in words.CHANNELS])
    b = np.array([TIER_EFFECTS[t] for t in words.TIERS])
    eta = a[np.maximum(channel, 0)] + b[np.maximum(tier, 0)] + (scores - 4.0) @ beta
    probability = np.where(regular, sigmoid(eta), 0.0)
    contributor = rng.random(n) < probability

    # superusers and lead users among contributors
    n_lead = max(3, round(0.0015 * n_regular))
    n_super = max(round(0.01 * n_regular), n_lead + 2)
    shortfall = n_lead + 2 - int(contributor.sum())
    if shortfall > 0:
        # tiny communities: make sure there are writers, taking the likeliest members
        candidates = np.flatnonzero(regular & ~contributor)
        contributor[candidates[np.argsort(-probability[candidates], kind="stable")[:shortfall]]] = True
    pool = np.flatnonzero(contributor)
    chosen = rng.permutation(pool)[: min(n_super, len(pool))]
    superuser = np.zeros(n, dtype=bool)
    superuser[chosen] = True
    lead = np.zeros(n, dtype=bool)
    lead[chosen[: min(n_lead, len(chosen))]] = True

    lead_mean = np.where(lead, 5.9, 3.6)
    lead_items = np.column_stack([likert(rng, lead_mean, 1.0 if k else 1.2, n) for k in (0, 0, 0, 1, 1, 1)])
    respondent = regular & (rng.random(n) < response_rate)

    activity = np.where(contributor, rng.lognormal(0.0, 1.0, n), 0.0)
    activity = np.where(superuser, rng.lognormal(np.log(8.0), 0.7, n), activity)

    # referrals: referrer drawn among earlier members, prosumers weighted PROSUMER_INFLUENCE
    weights = np.where(regular, np.where(superuser, PROSUMER_INFLUENCE, 1.0), 0.0)
    cumulative = np.cumsum(weights)
    referred = regular & (channel == words.CHANNELS.index("referral"))
    rows = np.flatnonzero(referred)
    # members are in joining order, so the first i rows are the earlier joiners
    referrer = prefix_choice(rng, cumulative, rows)
    referred_by = np.full(n, -1, dtype=np.int64)
    has = (referrer >= 0) & (weights[np.maximum(referrer, 0)] > 0)
    referred_by[rows[has]] = referrer[has] + 1

    return People(
        member_id=np.arange(1, n + 1, dtype=np.int64),
        joined=joined,
        is_staff=~regular,
        staff_role=staff_role,
        tier=tier,
        language=language,
        country=country,
        channel=channel,
        referred_by=referred_by,
        scores=scores,
        lead_items=lead_items,
        activation_probability=probability,
        contributor=contributor,
        superuser=superuser,
        lead=lead,
        respondent=respondent,
        activity=activity,
        name_adjective=rng.integers(0, len(words.NAME_ADJECTIVES), n),
        name_animal=rng.integers(0, len(words.NAME_ANIMALS), n),
        intercepts=intercepts,
        bass_m=n_regular / f_end,
    )
