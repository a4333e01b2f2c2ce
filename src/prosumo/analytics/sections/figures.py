"""Every figure a section shows, by its key: a label, a unit and a one-line explanation.

The sections name a figure by a stable key (``gini``, ``bass_p_95``); whatever shows a
figure to a person (the Insights pages, the dashboard, the HTML report, the CSV headers)
looks it up here and formats its value with :func:`prosumo.analytics.sections.formats.shown`.
The texts are English and marked with :func:`N_`: the site's translation catalogue holds
them in every language, and the caller passes its own ``gettext`` (Django's on the pages,
the standard library's in the report), so this module needs no Django.

A key means the same everywhere (``share``, ``members``); where one section gives a key
another meaning, :data:`SECTION_FIGURES` holds the exception. A key ending in ``_95`` is
the 95% interval of the figure without the suffix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["FIGURES", "N_", "SECTION_FIGURES", "TABLES", "TITLES", "Figure", "figure", "table_label"]


def N_(text: str) -> str:
    """Marks ``text`` for the catalogue; translated where it is shown."""
    return text


# Units: how a value is written (prosumo.analytics.sections.formats).
COUNT = "count"  # a whole number of things: 42,000
SHARE = "share"  # a fraction of 1 shown as a percentage: 12.5%
MONEY = "money"  # an amount in the site's currency (or the row's): €1,043.01
POINTS = "points"  # reward points, never added to money
DAYS = "days"
SECONDS = "seconds"  # a duration, shown in days or hours
SCORE = "score"  # a number on its own scale (0-1, 1-7, a z value...)
RATIO = "ratio"  # one quantity over another: 6.8x
DIFFERENCE = "difference"  # a signed difference in the figure's own unit
DATE = "date"
MONTH = "month"
YES_NO = "yes_no"
TEXT = "text"  # a name (segment, channel, status), shown as it is
MEMBER = "member"  # a member's id: shown as their name on the pages
IDEA = "idea"  # an idea's id
RANK = "rank"

UNITS = frozenset(
    (
        COUNT,
        SHARE,
        MONEY,
        POINTS,
        DAYS,
        SECONDS,
        SCORE,
        RATIO,
        DIFFERENCE,
        DATE,
        MONTH,
        YES_NO,
        TEXT,
        MEMBER,
        IDEA,
        RANK,
    )
)


@dataclass(frozen=True)
class Figure:
    """How one figure reads: its label, its unit (one of :data:`UNITS`) and what it means, in English."""

    label: str
    unit: str
    explanation: str


def F(label: str, unit: str, explanation: str) -> Figure:
    return Figure(label, unit, explanation)


#: The question each section answers.
TITLES: dict[str, str] = {
    "involvement": N_("How involved is each segment in collecting, processing and analysing product information?"),
    "capacity": N_("How large can the community grow, and how resilient is it?"),
    "innovation": N_("Which members have the most innovative potential, and why?"),
    "channels": N_("Which channels bring members who take part, and at what cost?"),
    "relationship": N_("Is the relationship with members being built, and does answering them help?"),
    "influence": N_("Do prosumers influence other members more than the average member?"),
    "remuneration": N_("How are contributors rewarded, and does a reward bring them back?"),
    "ip": N_("Are contributors' intellectual property and consent protected?"),
    "effectiveness": N_("Is the partnership worth it to both sides?"),
    "propensity": N_("Who will take part in co-production, and whom should we invite?"),
    "opinions": N_("Which opinion groups are there, and what unites or divides them?"),
}

#: The name of each table a section offers (and its CSV).
TABLES: dict[str, str] = {
    "funnel": N_("Involvement funnel"),
    "involvement_index": N_("Involvement index"),
    "participation_inequality": N_("Participation inequality"),
    "monthly_joiners": N_("Members joining each month"),
    "active_contributors": N_("Active contributors each month"),
    "retention_cohorts": N_("Retention by monthly cohort"),
    "bass_fit": N_("Growth model fit"),
    "forecast": N_("Forecast for the next 12 months"),
    "ranking": N_("Most innovative members"),
    "all_scores": N_("Innovation scores of all members"),
    "channels": N_("Channels"),
    "channel_pairs": N_("Channels compared in pairs"),
    "channel_attribution": N_("Credit for contributors per channel"),
    "levels": N_("Members per commitment level each month"),
    "moves": N_("Moves between commitment levels each month"),
    "level_matrix": N_("Moves from one level to another"),
    "answer_effect": N_("Do answered authors come back?"),
    "answers": N_("Staff answers to ideas"),
    "influence_ratio": N_("Influence of prosumers and of other members"),
    "top_members": N_("Most influential members"),
    "cores": N_("Members per network core"),
    "contributors": N_("Rewarded contributors"),
    "ideas": N_("Ideas"),
    "participation_after_reward": N_("Contributions after a reward"),
    "royalty_pools": N_("Royalty pools"),
    "split_rules": N_("Royalties under each split rule"),
    "licences": N_("Ideas per licence"),
    "terms_versions": N_("Ideas per terms version"),
    "proof_log_coverage": N_("Contributions in the proof log"),
    "flags": N_("Authorship disputes and prior-art flags"),
    "consent_by_segment": N_("Consent to the current terms per segment"),
    "company_value": N_("What the company gained"),
    "prosumer_value": N_("What the community received"),
    "did": N_("Spend before and after taking part"),
    "balance": N_("Balance of the matched comparison"),
    "did_means": N_("Mean spend per group and period"),
    "invite": N_("Members to invite"),
    "coefficients": N_("Predictors of taking part"),
    "calibration": N_("Calibration of the forecast"),
    "drivers": N_("What drives taking part (survey)"),
    "groups": N_("Opinion groups"),
    "uniting_ideas": N_("Ideas that unite the groups"),
    "dividing_ideas": N_("Ideas that divide the groups"),
    "members": N_("Members in the opinion map"),
    "silhouette_by_k": N_("Separation for each number of groups"),
}

_MEMBERS = N_("Members")

#: Every figure by key: the headline figures and the tables' columns.
FIGURES: dict[str, Figure] = {
    # who and what
    "member_id": F(N_("Member"), MEMBER, N_("The member this row is about.")),
    "idea_id": F(N_("Idea"), IDEA, N_("The idea this row is about.")),
    "pool_id": F(N_("Royalty pool"), COUNT, N_("The number of the royalty pool.")),
    "group": F(N_("Group"), TEXT, N_("The segment or group this row is about.")),
    "segment": F(N_("Segment"), TEXT, N_("The customer segment.")),
    "channel": F(N_("Channel"), TEXT, N_("The channel a member joined through.")),
    "status": F(N_("Status"), TEXT, N_("Where the idea stands.")),
    "title": F(N_("Title"), TEXT, N_("The idea's title.")),
    "reason": F(N_("Why"), TEXT, N_("What weighs most in this member's place.")),
    "rank": F(N_("Rank"), RANK, N_("Place in the list, 1 first.")),
    "currency": F(N_("Currency"), TEXT, N_("The currency of the amounts in this row.")),
    "definition": F(N_("Definition"), TEXT, N_("What counts as taking this step.")),
    "step": F(N_("Step"), TEXT, N_("A step of the funnel.")),
    "step_order": F(N_("Step number"), RANK, N_("The step's place in the funnel, 0 first.")),
    "month": F(N_("Month"), MONTH, N_("The calendar month.")),
    "cohort": F(N_("Cohort"), MONTH, N_("The month these members joined.")),
    "offset": F(N_("Months after joining"), COUNT, N_("How many months after joining.")),
    "measure": F(N_("Measure"), TEXT, N_("Which measure of influence this row compares.")),
    "kind": F(N_("Kind"), TEXT, N_("The kind of flag.")),
    "licence": F(N_("Licence"), TEXT, N_("The licence the ideas were contributed under.")),
    "terms_version": F(N_("Terms version"), TEXT, N_("The version of the contribution terms.")),
    "contribution": F(N_("Contribution"), TEXT, N_("The kind of contribution.")),
    "split_rule": F(N_("Split rule"), TEXT, N_("How the pool is divided among contributors.")),
    "parameter": F(N_("Parameter"), TEXT, N_("p: innovation, q: imitation, m: the ceiling of members.")),
    "covariate": F(N_("Characteristic"), TEXT, N_("A characteristic compared between the two groups.")),
    "period": F(N_("Period"), TEXT, N_("Before or after taking part.")),
    "before": F(N_("Before"), TEXT, N_("The level or value before.")),
    "after": F(N_("After"), TEXT, N_("The level or value after.")),
    "prior": F(N_("Contributions before"), TEXT, N_("How many contributions the members had made before.")),
    "channel_a": F(N_("Channel A"), TEXT, N_("The first channel of the pair.")),
    "channel_b": F(N_("Channel B"), TEXT, N_("The second channel of the pair.")),
    "method": F(N_("Method"), TEXT, N_("How the credit was computed: exact or sampled.")),
    "feature": F(N_("Predictor"), TEXT, N_("A member characteristic the model uses.")),
    "item": F(N_("Survey item"), TEXT, N_("A statement of the survey.")),
    "bin": F(N_("Group of members"), RANK, N_("Members grouped by predicted probability, lowest first.")),
    "k": F(N_("Number of groups"), COUNT, N_("How many opinion groups were tried.")),
    "interval": F(N_("Interval"), TEXT, N_("Why no interval is shown, where there is none.")),
    # the report's facts
    "events": F(N_("Events"), COUNT, N_("Everything members did that the data records.")),
    "first_event": F(N_("First event"), DATE, N_("When the first recorded event happened.")),
    "last_event": F(N_("Last event"), DATE, N_("When the last recorded event happened.")),
    "engine": F(N_("Engine"), TEXT, N_("The program that computed the figures.")),
    "report_made": F(N_("Report made"), DATE, N_("When this report was made.")),
    # counts
    "members": F(_MEMBERS, COUNT, N_("Members counted, staff left out.")),
    "contributors": F(N_("Contributors"), COUNT, N_("Members who made at least one contribution.")),
    "size": F(N_("Members in the group"), COUNT, N_("How many members the group has.")),
    "did": F(N_("Took the step"), COUNT, N_("Members who took this step themselves.")),
    "reached": F(N_("Reached the step"), COUNT, N_("Members whose deepest step is this one or a later one.")),
    "active": F(N_("Active"), COUNT, N_("Members who did something in the period.")),
    "contributions": F(N_("Contributions"), COUNT, N_("Ideas, comments, votes and other contributions.")),
    "top1_members": F(N_("Members in the top 1%"), COUNT, N_("How many members the top 1% covers.")),
    "top10_members": F(N_("Members in the top 10%"), COUNT, N_("How many members the top 10% covers.")),
    "joiners": F(N_("Joined"), COUNT, N_("Members who joined that month.")),
    "active_contributors": F(N_("Active contributors"), COUNT, N_("Members who contributed that month.")),
    "contributor_absence_factor": F(
        N_("Contributor absence factor (members)"),
        COUNT,
        N_("The fewest members who made more than half of all contributions in the last year."),
    ),
    "ranked_members": F(N_("Members ranked (count)"), COUNT, N_("Members with an innovation score.")),
    "ideas": F(N_("Ideas (count)"), COUNT, N_("Ideas submitted.")),
    "accepted": F(N_("Accepted"), COUNT, N_("Ideas accepted, or members who accepted.")),
    "support": F(N_("Support"), COUNT, N_("Positive votes the member's ideas received.")),
    "channels": F(N_("Channels (count)"), COUNT, N_("Channels members joined through.")),
    "reach": F(N_("Members brought"), COUNT, N_("Members who joined through the channel.")),
    "activated": F(N_("Contributed"), COUNT, N_("Of those, members who made at least one contribution.")),
    "accepted_ideas": F(N_("Accepted ideas"), COUNT, N_("Ideas by these members that were accepted.")),
    "eligible": F(N_("Members old enough"), COUNT, N_("Members who joined at least 90 days ago.")),
    "retained": F(N_("Still active after 90 days"), COUNT, N_("Of those, members active 90 days after joining.")),
    "members_touched": F(N_("Members touched"), COUNT, N_("Members the channel reached at some point.")),
    "conversions_touched": F(
        N_("Contributors touched"), COUNT, N_("Contributors the channel reached before their first contribution.")
    ),
    "first_touch_conversions": F(N_("First-touch credit"), COUNT, N_("Contributors whose first channel this was.")),
    "last_touch_conversions": F(N_("Last-touch credit"), COUNT, N_("Contributors whose last channel this was.")),
    "observer": F(N_("Observers"), COUNT, N_("Members who only looked.")),
    "participant": F(N_("Participants"), COUNT, N_("Members who voted or commented.")),
    "contributor": F(N_("Contributors"), COUNT, N_("Members who submitted or improved ideas.")),
    "leader": F(N_("Leaders"), COUNT, N_("Members whose work others build on.")),
    "weighted_commitment": F(N_("Weighted commitment"), SCORE, N_("Members weighted by their level of commitment.")),
    "up": F(N_("Moved up"), COUNT, N_("Members who moved to a higher level.")),
    "held": F(N_("Stayed"), COUNT, N_("Members who kept their level.")),
    "down": F(N_("Moved down"), COUNT, N_("Members who moved to a lower level.")),
    "n": F(N_("Number"), COUNT, N_("How many members or cases.")),
    "authors": F(N_("Authors"), COUNT, N_("Members who submitted ideas.")),
    "returned": F(N_("Came back"), COUNT, N_("Authors who contributed again later.")),
    "answered": F(N_("Answered"), COUNT, N_("Ideas a staff member answered.")),
    "prosumers": F(N_("Prosumers (count)"), COUNT, N_("Members who create as well as use.")),
    "others": F(N_("Other members"), COUNT, N_("Members who are not prosumers.")),
    "largest_core": F(
        N_("Largest core (level)"), COUNT, N_("The deepest level of the network where members all interact.")
    ),
    "coreness": F(N_("Core level"), COUNT, N_("How deep in the network the member sits.")),
    "referrals": F(N_("Members referred"), COUNT, N_("Members who joined on this member's invitation.")),
    "rewarded_members": F(N_("Members rewarded (count)"), COUNT, N_("Members who received points or money.")),
    "awards": F(N_("Awards"), COUNT, N_("Point awards received.")),
    "payments": F(N_("Payments"), COUNT, N_("Payments received.")),
    "rewarded": F(N_("Rewarded members"), COUNT, N_("Members who received a reward.")),
    "comparable": F(N_("Comparable members"), COUNT, N_("Similar members who received no reward.")),
    "royalty_pools": F(
        N_("Royalty pools (count)"), COUNT, N_("Pools that share an idea's sales with its contributors.")
    ),
    "current_terms_version": F(
        N_("Current terms version (number)"), COUNT, N_("The version of the contribution terms now in force.")
    ),
    "authorship_disputes": F(N_("Authorship disputes (count)"), COUNT, N_("Ideas whose authorship someone disputed.")),
    "prior_art_flags": F(N_("Prior-art flags (count)"), COUNT, N_("Ideas flagged as known before.")),
    "logged": F(N_("In the proof log"), COUNT, N_("Contributions with a timestamped proof.")),
    "ideas_launched": F(N_("Ideas launched (count)"), COUNT, N_("Co-created ideas that became products.")),
    "launched": F(N_("Launched"), COUNT, N_("Ideas that became products.")),
    "co_created_products": F(N_("Co-created products"), COUNT, N_("Products that came from members' ideas.")),
    "credited_members": F(N_("Members credited (count)"), COUNT, N_("Members named as authors of launched ideas.")),
    "reward_count": F(N_("Rewards"), COUNT, N_("Rewards given.")),
    "reward_recipients": F(N_("Members rewarded"), COUNT, N_("Members who received a reward.")),
    "royalty_count": F(N_("Royalty payments"), COUNT, N_("Royalty payments made.")),
    "royalty_recipients": F(N_("Members paid royalties"), COUNT, N_("Members who received royalties.")),
    "treated": F(N_("Members who took part"), COUNT, N_("Customers who took part and have orders.")),
    "matched": F(N_("Matched"), COUNT, N_("Of those, members with a similar customer to compare.")),
    "controls_used": F(N_("Customers compared"), COUNT, N_("Customers who did not take part, used for comparison.")),
    "window_days": F(N_("Window (days)"), DAYS, N_("Days before and after taking part that are compared.")),
    "train_rows": F(N_("Members to learn from (count)"), COUNT, N_("Members the model was trained on.")),
    "test_rows": F(N_("Members to test on (count)"), COUNT, N_("Members held out to check the model.")),
    "survey_respondents": F(N_("Survey respondents (count)"), COUNT, N_("Members who answered the survey.")),
    "respondents_who_contributed": F(
        N_("Respondents who contributed (count)"), COUNT, N_("Of those, members who went on to contribute.")
    ),
    "voters": F(N_("Voters (count)"), COUNT, N_("Members who voted on at least one idea.")),
    "members_grouped": F(N_("Members grouped (count)"), COUNT, N_("Voters with enough votes to place in a group.")),
    "ideas_voted_on": F(N_("Ideas voted on (count)"), COUNT, N_("Ideas that received at least one vote.")),
    "votes": F(N_("Votes (count)"), COUNT, N_("Agree and disagree votes counted.")),
    "groups": F(N_("Opinion groups (count)"), COUNT, N_("Groups of members who vote alike.")),
    "n_votes": F(N_("Votes"), COUNT, N_("Votes on this idea.")),
    "agree": F(N_("Agree"), COUNT, N_("Votes in favour.")),
    "disagree": F(N_("Disagree"), COUNT, N_("Votes against.")),
    "representative_group": F(N_("Group it speaks for"), COUNT, N_("The group whose view this idea represents best.")),
    "most_representative_idea": F(
        N_("Idea that speaks for the group"), IDEA, N_("The idea this group agrees on most.")
    ),
    "expected_sign": F(N_("Expected direction"), SCORE, N_("1: should raise taking part; -1: should lower it.")),
    # shares
    "share": F(N_("Share"), SHARE, N_("The part of the whole this row stands for.")),
    "top1_share": F(
        N_("Contributions by the top 1% (share)"), SHARE, N_("Share of contributions by the most active 1%.")
    ),
    "top10_share": F(
        N_("Contributions by the top 10% (share)"), SHARE, N_("Share of contributions by the most active 10%.")
    ),
    "top1": F(N_("Top 1% (share)"), SHARE, N_("Share of contributions by the most active 1%.")),
    "next9": F(N_("Next 9% (share)"), SHARE, N_("Share of contributions by the next 9%.")),
    "rest90": F(N_("Other 90% (share)"), SHARE, N_("Share of contributions by everyone else.")),
    "lurkers": F(N_("Members who only look (share)"), SHARE, N_("Members with no contribution at all.")),
    "conversion": F(
        N_("From the step before"), SHARE, N_("Members who took this step, of those who took the previous one.")
    ),
    "penetration": F(N_("Active (share)"), SHARE, N_("Members of the group who did anything.")),
    "collect": F(N_("Collecting (share)"), SHARE, N_("Part of the group's activity spent giving information.")),
    "process": F(N_("Processing (share)"), SHARE, N_("Part of the group's activity spent discussing and voting.")),
    "analyse": F(N_("Analysing (share)"), SHARE, N_("Part of the group's activity spent creating ideas.")),
    "retention": F(N_("Still active (share)"), SHARE, N_("Members of the cohort active that many months later.")),
    "prior_mean_acceptance": F(
        N_("Typical acceptance rate"), SHARE, N_("The share of ideas accepted across the community.")
    ),
    "acceptance": F(N_("Acceptance (share)"), SHARE, N_("The member's ideas accepted, adjusted for how few they are.")),
    "best_activation": F(N_("Best activation (share)"), SHARE, N_("Members of the best channel who contributed.")),
    "activation": F(N_("Activation (share)"), SHARE, N_("Members the channel brought who contributed.")),
    "activation_a": F(N_("Activation of A"), SHARE, N_("Members channel A brought who contributed.")),
    "activation_b": F(N_("Activation of B"), SHARE, N_("Members channel B brought who contributed.")),
    "p_b_better": F(
        N_("Chance B is better"), SHARE, N_("The probability that channel B activates more members than A.")
    ),
    "multi_touch_journeys": F(
        N_("Members reached by several channels (share)"), SHARE, N_("Journeys that touched more than one channel.")
    ),
    "retention_90": F(N_("Active after 90 days (share)"), SHARE, N_("Members active 90 days after joining.")),
    "shapley_share": F(
        N_("Fair credit (share)"), SHARE, N_("The channel's part of all contributors, credited fairly.")
    ),
    "ideas_answered_share": F(N_("Ideas answered by staff (share)"), SHARE, N_("Ideas a staff member answered.")),
    "answered_share": F(N_("Answered (share)"), SHARE, N_("Ideas a staff member answered.")),
    "answered_within_30d": F(
        N_("Answered within 30 days (share)"), SHARE, N_("Answered ideas that got their answer within 30 days.")
    ),
    "within_7d": F(N_("Within 7 days (share)"), SHARE, N_("Answers given within 7 days.")),
    "within_30d": F(N_("Within 30 days (share)"), SHARE, N_("Answers given within 30 days.")),
    "return_rate_answered": F(
        N_("Answered authors who came back (share)"),
        SHARE,
        N_("Authors answered within 30 days who contributed again."),
    ),
    "return_rate_unanswered": F(
        N_("Unanswered authors who came back (share)"), SHARE, N_("Authors not answered in time who contributed again.")
    ),
    "return_rate": F(N_("Came back (share)"), SHARE, N_("Authors who contributed again.")),
    "return_difference": F(
        N_("Difference in coming back"), DIFFERENCE, N_("Answered authors' rate minus unanswered authors' rate.")
    ),
    "within_claim": F(N_("Within 4 to 6 times"), YES_NO, N_("Whether the ratio lies between 4 and 6.")),
    "claim_4_to_6x_supported": F(
        N_("Prosumers 4 to 6 times as influential"),
        YES_NO,
        N_("Whether the data supports the often-cited 4 to 6 times."),
    ),
    "revenue_share_returned": F(
        N_("Revenue returned to contributors (share)"),
        SHARE,
        N_("Money paid to contributors over the revenue of their ideas."),
    ),
    "returned_share": F(N_("Returned (share)"), SHARE, N_("Money paid to contributors over the revenue.")),
    "pool_sales_share_returned": F(
        N_("Net sales returned to contributors by the pools (share)"),
        SHARE,
        N_("What the pools paid over the net sales they share."),
    ),
    "ideas_under_contribution_terms_share": F(
        N_("Ideas under contribution terms (share)"), SHARE, N_("Ideas submitted under accepted contribution terms.")
    ),
    "ideas_in_proof_log_share": F(
        N_("Ideas in the proof log (share)"), SHARE, N_("Ideas with a timestamped proof of who wrote them.")
    ),
    "comments_in_proof_log_share": F(
        N_("Comments in the proof log (share)"), SHARE, N_("Comments with a timestamped proof of who wrote them.")
    ),
    "ideas_flagged_share": F(N_("Ideas flagged (share)"), SHARE, N_("Ideas with a dispute or a prior-art flag.")),
    "active_members_who_accepted_current_terms_share": F(
        N_("Active members who accepted the current terms (share)"),
        SHARE,
        N_("Members active in the last year who accepted the terms in force."),
    ),
    "segment_with_least_consent_share": F(
        N_("Active members there who accepted the current terms (share)"),
        SHARE,
        N_("The same share in the segment with the least consent."),
    ),
    "co_created_share": F(N_("Co-created revenue (share)"), SHARE, N_("Revenue from co-created products.")),
    "spend_uplift_relative": F(
        N_("Spend uplift (share of spend before)"), SHARE, N_("The uplift over what the members spent before.")
    ),
    "relative_effect": F(N_("Relative effect"), SHARE, N_("The effect over the spend before.")),
    "ideas_answered_share_prosumer": F(N_("Ideas answered (share)"), SHARE, N_("Ideas a staff member answered.")),
    "base_rate": F(N_("Members who took part (share)"), SHARE, N_("Members who co-produced in the period.")),
    "probability": F(N_("Chance of taking part"), SHARE, N_("The model's probability that the member co-produces.")),
    "predicted": F(N_("Predicted"), SHARE, N_("Mean predicted probability of the group.")),
    "observed": F(N_("Observed"), SHARE, N_("Share of the group who took part.")),
    "members_grouped_share": F(N_("Members grouped (share)"), SHARE, N_("Voters placed in a group.")),
    "variance_explained": F(
        N_("Votes explained by the map (share)"), SHARE, N_("How much of the voting the two axes show.")
    ),
    "min_group_agree": F(N_("Least agreement in a group"), SHARE, N_("Agreement in the group that agrees least.")),
    "share_visited": F(N_("Visited (share)"), SHARE, N_("Members who visited.")),
    "share_voted": F(N_("Voted (share)"), SHARE, N_("Members who voted.")),
    "share_commented": F(N_("Commented (share)"), SHARE, N_("Members who commented.")),
    "share_submitted": F(N_("Submitted an idea (share)"), SHARE, N_("Members who submitted an idea.")),
    "share_co-authored": F(N_("Co-authored (share)"), SHARE, N_("Members who co-authored an idea.")),
    "share_accepted": F(N_("Had an idea accepted (share)"), SHARE, N_("Members with an accepted idea.")),
    # money and points
    "spend": F(N_("Spend"), MONEY, N_("What the company spent on the channel.")),
    "cost_per_activated": F(
        N_("Cost per contributor"), MONEY, N_("Spend over the members the channel brought who contributed.")
    ),
    "points_granted": F(N_("Points granted"), POINTS, N_("Reward points given to members.")),
    "money_paid": F(N_("Money paid"), MONEY, N_("Money paid to members.")),
    "median_money_per_paid_member": F(
        N_("Money per paid member, median"), MONEY, N_("The middle amount among members who were paid.")
    ),
    "points": F(N_("Points"), POINTS, N_("Reward points.")),
    "money": F(N_("Money"), MONEY, N_("Money paid.")),
    "revenue": F(N_("Revenue"), MONEY, N_("Sales revenue.")),
    "net_sales": F(N_("Net sales"), MONEY, N_("Sales after refunds the pool shares.")),
    "paid": F(N_("Paid"), MONEY, N_("What the pool paid out.")),
    "received": F(N_("Received"), MONEY, N_("What the member received.")),
    "equal": F(N_("Equal split"), MONEY, N_("What the member would receive with equal parts.")),
    "shares": F(N_("Split by shares"), MONEY, N_("What the member would receive by agreed shares.")),
    "roles": F(N_("Split by roles"), MONEY, N_("What the member would receive by role.")),
    "shapley": F(N_("Fair split"), MONEY, N_("What the member would receive by their fair (Shapley) part.")),
    "largest_change_under_another_split_rule": F(
        N_("Largest change for one contributor under another split rule (pool currency)"),
        MONEY,
        N_("How much one member's payment would move with another rule."),
    ),
    "co_created_revenue": F(
        N_("Co-created revenue"), MONEY, N_("Revenue from products that came from members' ideas.")
    ),
    "programme_cost": F(
        N_("Programme cost (money)"), MONEY, N_("Channel spend and royalties paid; reward points are counted apart.")
    ),
    "reward_points": F(N_("Reward points"), POINTS, N_("Points given; never added to money.")),
    "royalties_paid": F(N_("Royalties paid"), MONEY, N_("Money paid to contributors from royalty pools.")),
    "acquisition_spend": F(N_("Channel spend"), MONEY, N_("What the company spent to bring members in.")),
    "reward_value": F(N_("Reward points given"), POINTS, N_("Points given as rewards.")),
    "royalty_value": F(N_("Royalties paid"), MONEY, N_("Money paid as royalties.")),
    "spend_uplift": F(
        N_("Spend uplift per member"), MONEY, N_("Extra spend of members who took part, against similar customers.")
    ),
    "effect": F(N_("Effect"), MONEY, N_("Extra spend per member, against similar customers.")),
    "naive": F(N_("Simple difference"), MONEY, N_("Difference without matching similar customers.")),
    "mean_spend": F(N_("Mean spend"), MONEY, N_("Average spend per member in the group and period.")),
    "amount": F(N_("Amount"), MONEY, N_("The amount.")),
    # time
    "median_days_to_answer": F(N_("Time to answer, median (days)"), DAYS, N_("The middle wait for a staff answer.")),
    "median_days": F(N_("Median wait (days)"), DAYS, N_("The middle wait for a staff answer.")),
    "p90_days": F(N_("Longest waits (days)"), DAYS, N_("Nine in ten answers came sooner than this.")),
    "seconds_from_submission_to_proof_median": F(
        N_("Time from submission to proof, median (seconds)"),
        SECONDS,
        N_("The middle wait between submitting and the proof being logged."),
    ),
    "seconds_from_submission_to_proof_p95": F(
        N_("Time from submission to proof, 95th percentile (seconds)"),
        SECONDS,
        N_("Nineteen in twenty proofs were logged sooner than this."),
    ),
    "first_rewarded_at": F(N_("First reward"), DATE, N_("When the member was first rewarded.")),
    "peak_month": F(N_("Month of fastest growth"), SCORE, N_("Months after the first member joined.")),
    # scores and ratios
    "gini": F(
        N_("Inequality of contributions (Gini, 0-1)"),
        SCORE,
        N_("0: everyone contributes the same; 1: one member makes every contribution."),
    ),
    "bass_p": F(N_("Growth from outside (p)"), SCORE, N_("How many join on their own each month, as a rate.")),
    "bass_q": F(N_("Growth by word of mouth (q)"), SCORE, N_("How much members already in bring others.")),
    "bass_m": F(N_("Ceiling of members (m)"), COUNT, N_("How many members the community can reach.")),
    "members_in_12_months": F(
        N_("Members in 12 months"), COUNT, N_("Forecast; never below the members already counted.")
    ),
    "active_contributors_in_12_months": F(
        N_("Active contributors in 12 months"), COUNT, N_("Forecast of members contributing in a month.")
    ),
    "members_low": F(N_("Members, low"), COUNT, N_("Lower end of the 95% interval.")),
    "members_high": F(N_("Members, high"), COUNT, N_("Upper end of the 95% interval.")),
    "active_low": F(N_("Active, low"), COUNT, N_("Lower end of the 95% interval.")),
    "active_high": F(N_("Active, high"), COUNT, N_("Upper end of the 95% interval.")),
    "estimate": F(N_("Estimate"), SCORE, N_("The fitted value.")),
    "std_error": F(N_("Standard error"), SCORE, N_("How uncertain the estimate is.")),
    "se": F(N_("Standard error"), SCORE, N_("How uncertain the estimate is.")),
    "low_95": F(N_("Low (95%)"), SCORE, N_("Lower end of the 95% interval.")),
    "high_95": F(N_("High (95%)"), SCORE, N_("Upper end of the 95% interval.")),
    "low": F(N_("Low (95%)"), SCORE, N_("Lower end of the 95% interval.")),
    "high": F(N_("High (95%)"), SCORE, N_("Upper end of the 95% interval.")),
    "prior_alpha": F(
        N_("Acceptance prior, accepted weight"), SCORE, N_("How many accepted ideas the typical rate counts as.")
    ),
    "prior_beta": F(
        N_("Acceptance prior, other weight"), SCORE, N_("How many other ideas the typical rate counts as.")
    ),
    "score": F(
        N_("Innovation score"), SCORE, N_("Acceptance, support, novelty, diversity and foresight together, 0-1.")
    ),
    "novelty": F(N_("Novelty"), SCORE, N_("How different the member's ideas are from earlier ones, 0-1.")),
    "diversity": F(N_("Diversity"), SCORE, N_("How many topics the member's ideas cover, 0-1.")),
    "foresight": F(N_("Foresight"), SCORE, N_("How early the member's ideas came before similar ones.")),
    "lead_user": F(N_("Lead-user score"), SCORE, N_("The member's lead-user survey answers, 1-7.")),
    "points_per_member": F(N_("Activity points per member"), SCORE, N_("Weighted activity over the group's members.")),
    "accepted_per_100": F(N_("Accepted ideas per 100 members"), SCORE, N_("Accepted ideas per 100 members brought.")),
    "shapley_conversions": F(
        N_("Fair credit"), SCORE, N_("Contributors credited to the channel by its fair (Shapley) part.")
    ),
    "gravity": F(N_("Level reached, mean"), SCORE, N_("The mean commitment level of active members.")),
    "influence_ratio": F(
        N_("Influence of prosumers over others (times)"),
        RATIO,
        N_("Prosumers' mean influence over other members' mean."),
    ),
    "prosumer_mean": F(N_("Prosumers, mean"), SCORE, N_("The prosumers' mean on this measure.")),
    "other_mean": F(N_("Others, mean"), SCORE, N_("Other members' mean on this measure.")),
    "ratio": F(N_("Ratio (times)"), RATIO, N_("Prosumers' mean over other members' mean.")),
    "pagerank": F(N_("PageRank"), SCORE, N_("Importance in the network of who responds to whom.")),
    "influence": F(N_("Influence"), SCORE, N_("How much others respond to the member.")),
    "in_weight": F(N_("Responses received"), SCORE, N_("Votes, comments and builds on the member's work.")),
    "contributions_after_reward_difference": F(
        N_("Extra contributions after a reward"),
        DIFFERENCE,
        N_("Rewarded members' contributions after minus comparable members'."),
    ),
    "rewarded_after": F(N_("Rewarded, after"), SCORE, N_("Mean contributions of rewarded members afterwards.")),
    "comparable_after": F(N_("Comparable, after"), SCORE, N_("Mean contributions of comparable members afterwards.")),
    "difference": F(N_("Difference"), DIFFERENCE, N_("The first minus the second.")),
    "cooperation_effect_size_d": F(
        N_("Effect of taking part on spend (Cohen's d)"), SCORE, N_("0.2 small, 0.5 medium, 0.8 large.")
    ),
    "cohens_d": F(N_("Effect size (Cohen's d)"), SCORE, N_("0.2 small, 0.5 medium, 0.8 large.")),
    "d_low": F(N_("Effect size, low"), SCORE, N_("Lower end of the 95% interval.")),
    "d_high": F(N_("Effect size, high"), SCORE, N_("Upper end of the 95% interval.")),
    "cooperation_efficiency_r": F(
        N_("Link between taking part and spend (r)"), SCORE, N_("Correlation from -1 to 1; 0 means no link.")
    ),
    "placebo": F(N_("Placebo check"), MONEY, N_("The same comparison a year earlier; near 0 is reassuring.")),
    "placebo_low": F(N_("Placebo check, low"), MONEY, N_("Lower end of the 95% interval.")),
    "placebo_high": F(N_("Placebo check, high"), MONEY, N_("Upper end of the 95% interval.")),
    "naive_low": F(N_("Simple difference, low"), MONEY, N_("Lower end of the 95% interval.")),
    "naive_high": F(N_("Simple difference, high"), MONEY, N_("Upper end of the 95% interval.")),
    "satisfaction_co_creators": F(N_("Satisfaction of co-creators"), SCORE, N_("Mean survey satisfaction, 1-7.")),
    "satisfaction_others": F(
        N_("Satisfaction of others"), SCORE, N_("Mean survey satisfaction of other members, 1-7.")
    ),
    "satisfaction_difference": F(N_("Difference in satisfaction"), DIFFERENCE, N_("Co-creators' mean minus others'.")),
    "auc": F(N_("Model accuracy (AUC)"), SCORE, N_("0.5 is a coin toss, 1 is perfect.")),
    "brier": F(N_("Forecast error (Brier)"), SCORE, N_("Lower is better.")),
    "brier_base_rate": F(
        N_("Forecast error without a model"), SCORE, N_("The error when everyone gets the same chance.")
    ),
    "coefficient": F(N_("Weight"), SCORE, N_("How much the predictor raises (or lowers) the chance of taking part.")),
    "p_value": F(N_("p-value"), SCORE, N_("Below 0.05: unlikely to be chance.")),
    "silhouette": F(
        N_("Separation of the groups (-1 to 1)"), SCORE, N_("Near 1: groups clearly apart; near 0: they overlap.")
    ),
    "ari_vs_source_groups": F(
        N_("Agreement with the source's groups"), SCORE, N_("1: the same groups; 0: no better than chance.")
    ),
    "top_uniting_idea": F(N_("Idea that unites most"), IDEA, N_("The idea all groups agree on most.")),
    "top_uniting_consensus": F(N_("Its agreement"), SCORE, N_("How far every group agrees, 0-1.")),
    "top_dividing_idea": F(N_("Idea that divides most"), IDEA, N_("The idea the groups disagree on most.")),
    "top_dividing_spread": F(N_("Its spread"), SCORE, N_("How far the groups' agreement differs, 0-1.")),
    "consensus": F(N_("Agreement across groups"), SCORE, N_("How far every group agrees, 0-1.")),
    "divisiveness": F(N_("Spread between groups"), SCORE, N_("How far the groups' agreement differs, 0-1.")),
    "repness": F(N_("How well it speaks for its group"), SCORE, N_("Above 1: the group agrees more than the others.")),
    "z": F(N_("Strength (z)"), SCORE, N_("Above 2: clearly more than chance.")),
    "x": F(N_("Map position, across"), SCORE, N_("Position on the opinion map.")),
    "y": F(N_("Map position, up"), SCORE, N_("Position on the opinion map.")),
    # names standing for a figure
    "best_activation_channel": F(
        N_("Channel with the best activation"), TEXT, N_("The channel whose members contribute most.")
    ),
    "top_shapley_channel": F(
        N_("Channel with the most credit"), TEXT, N_("The channel credited with most contributors.")
    ),
    "segment_with_least_consent": F(
        N_("Segment with the least consent"), TEXT, N_("The segment where fewest active members accepted the terms.")
    ),
}

#: Where a section gives a key its own meaning.
SECTION_FIGURES: dict[tuple[str, str], Figure] = {
    ("capacity", "members"): F(_MEMBERS, COUNT, N_("Members counted so far, staff left out.")),
    ("relationship", "members"): F(N_("Active members"), COUNT, N_("Members active that month.")),
    ("influence", "members"): F(_MEMBERS, COUNT, N_("Members at this core level.")),
    ("opinions", "group"): F(N_("Opinion group"), RANK, N_("The opinion group, numbered from 0.")),
    ("opinions", "share"): F(N_("Share"), SHARE, N_("Members grouped who are in this group.")),
    ("opinions", "members"): F(_MEMBERS, COUNT, N_("Members in the group.")),
    ("opinions", "name"): F(N_("Named by"), TEXT, N_("The idea the group agrees on most beyond the other groups.")),
    ("opinions", "name_idea_id"): F(N_("Idea that names the group"), IDEA, N_("The number of that idea.")),
    ("opinions", "name_agree"): F(
        N_("Agreement with it in the group"), SHARE, N_("Members of the group who agree with that idea (smoothed).")
    ),
    ("opinions", "name_agree_rest"): F(
        N_("Agreement with it elsewhere"), SHARE, N_("Members of the other groups who agree with it (smoothed).")
    ),
    ("opinions", "unites"): F(N_("Unites the groups"), YES_NO, N_("More than half of every shown group agrees.")),
    ("opinions", "divides"): F(
        N_("Divides the groups"), YES_NO, N_("One group mostly agrees and another mostly disagrees.")
    ),
    ("ip", "accepted"): F(N_("Accepted the terms"), COUNT, N_("Active members who accepted the current terms.")),
    ("ip", "flags"): F(N_("Flags"), COUNT, N_("Flags raised.")),
    ("ip", "active"): F(N_("Active members"), COUNT, N_("Members active in the last year.")),
    ("ip", "ideas"): F(N_("Ideas (count)"), COUNT, N_("Ideas submitted.")),
    ("remuneration", "contributors"): F(N_("Contributors"), COUNT, N_("Members credited on the idea.")),
    ("capacity", "active"): F(N_("Active"), COUNT, N_("Members of the cohort active that month.")),
    ("capacity", "size"): F(N_("Members in the cohort"), COUNT, N_("Members who joined that month.")),
    ("effectiveness", "before"): F(N_("Before matching"), SCORE, N_("Standardised difference before matching.")),
    ("effectiveness", "after"): F(
        N_("After matching"), SCORE, N_("Standardised difference after matching; near 0 is good.")
    ),
    ("effectiveness", "accepted"): F(N_("Accepted"), COUNT, N_("Ideas accepted.")),
    ("innovation", "ideas"): F(N_("Ideas"), COUNT, N_("Ideas the member submitted.")),
    ("innovation", "accepted"): F(N_("Accepted"), COUNT, N_("Of those, ideas accepted.")),
}

_STAGES = {
    "submitted": N_("Submitted"),
    "open": N_("Open for support"),
    "under_review": N_("Under review"),
    "accepted": N_("Accepted"),
    "in_development": N_("In development"),
    "launched": N_("Launched"),
    "declined": N_("Declined"),
    "merged": N_("Merged"),
}
_LEVELS = {
    "inactive": N_("Inactive"),
    "observer": N_("Observer"),
    "participant": N_("Participant"),
    "contributor": N_("Contributor"),
    "leader": N_("Leader"),
}

#: The words the analytics write in a text column, by column: what each means in words.
VALUES: dict[str, dict[str, str]] = {
    "status": _STAGES,
    "licence": {
        "assignment": N_("Assign the rights to the company"),
        "exclusive": N_("Exclusive licence to the company"),
        "non_exclusive": N_("Non-exclusive licence to the company"),
        "cc_by_4_0": N_("Creative Commons Attribution 4.0 (CC BY 4.0)"),
        "cc_by_sa_4_0": N_("Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0)"),
    },
    "kind": {"dispute": N_("Authorship disputed"), "prior_art": N_("Prior art: an earlier idea"), "any": N_("Any")},
    "contribution": {"ideas": N_("Ideas"), "comments": N_("Comments")},
    "before": _LEVELS,
    "after": _LEVELS,
    "period": {"before": N_("Before"), "after": N_("After")},
    "step": {
        "visited": N_("Visited"),
        "voted": N_("Voted"),
        "commented": N_("Commented"),
        "submitted": N_("Submitted an idea"),
        "co-authored": N_("Co-authored"),
        "accepted": N_("Had an idea accepted"),
    },
    "group": {
        "answered within 30 days": N_("Answered within 30 days"),
        "not answered within 30 days": N_("Not answered within 30 days"),
        "co-creators": N_("Co-creators"),
        "matched non-participants": N_("Matched non-participants"),
    },
    "definition": {
        "members with any activity (a visit, a view, a vote, a comment, an idea)": N_(
            "members with any activity (a visit, a view, a vote, a comment, an idea)"
        ),
        "members who cast a vote of any kind (support, up or down, a score) or withdrew one": N_(
            "members who cast a vote of any kind (support, up or down, a score) or withdrew one"
        ),
        "members who posted a comment": N_("members who posted a comment"),
        "members who submitted an idea": N_("members who submitted an idea"),
        "members named co-author of someone else's idea": N_("members named co-author of someone else's idea"),
        "members credited on an idea accepted, in development or launched": N_(
            "members credited on an idea accepted, in development or launched"
        ),
    },
    "split_rule": {
        "equal": N_("Equal split"),
        "shares": N_("Split by shares"),
        "roles": N_("Split by roles"),
        "shapley": N_("Fair split"),
    },
}

#: The invitation model's inputs and the survey items (a model input is ``survey_<item>``), in words.
FEATURES: dict[str, str] = {
    "visits": N_("Visits"),
    "views": N_("Ideas viewed"),
    "votes": N_("Votes"),
    "comments": N_("Comments"),
    "active_days": N_("Active days"),
    "recent_events": N_("Actions in the last 30 days"),
    "tenure_days": N_("Days as a member"),
    "referred": N_("Referred by a member"),
    # the matched comparison's covariates (its balance table)
    "tenure": N_("Days as a member before co-creating"),
    "index_day": N_("Day co-creation started"),
    "pre_orders": N_("Orders before co-creating"),
    "pre_spend": N_("Spend before co-creating"),
    "pre_events": N_("Actions before co-creating"),
    "log_pre_spend": N_("Spend before co-creating (log)"),
    "log_pre_events": N_("Actions before co-creating (log)"),
    "motive_econ": N_("Motive: something of value"),
    "motive_psych": N_("Motive: enjoyment and pride"),
    "motive_social": N_("Motive: connection and recognition"),
    "cost_econ": N_("Cost: time or money"),
    "cost_psych": N_("Cost: effort and frustration"),
    "cost_social": N_("Cost: fear of being judged"),
    "satisfaction": N_("Satisfaction"),
    "lead_at_1": N_("Ahead of the trend: hears of new products first"),
    "lead_at_2": N_("Ahead of the trend: gained from using them early"),
    "lead_at_3": N_("Ahead of the trend: seen at the leading edge"),
    "lead_heb_1": N_("High expected benefit: needs today's products do not meet"),
    "lead_heb_2": N_("High expected benefit: dissatisfied with today's products"),
    "lead_heb_3": N_("High expected benefit: a better product would be worth a lot"),
}
#: A one-hot model input ``<group>_<value>`` reads "<group>: <value>".
FEATURE_GROUPS: dict[str, str] = {"segment": N_("Segment"), "channel": N_("Channel"), "country": N_("Country")}
FEATURE_GROUP_VALUE = N_("{group}: {value}")
#: scikit-learn's name for the categories too rare to have a column of their own
FEATURE_RARE = ("infrequent_sklearn", N_("other"))
FEATURE_NOT_ANSWERED = N_("{item} (not answered)")
#: Columns that hold model inputs joined by "; " (the invitation ranking's reasons).
FEATURE_LIST_COLUMNS = frozenset({"reason"})
FEATURE_SEPARATOR = "; "

#: The innovation ranking's reasons: each phrase the metric writes, as a pattern and the template it reads
#: in (a member's two strongest reasons are joined by "; "). Decimal figures are written by the reader.
REASONS: tuple[tuple[str, str], ...] = (
    (
        r"(?P<accepted>\d+) of (?P<ideas>\d+) ideas accepted \(shrunk rate (?P<rate>\d+)%\)",
        N_("{accepted} of {ideas} ideas accepted (shrunk rate {rate}%)"),
    ),
    (r"(?P<support>-?[\d.]+) supports per idea", N_("{support} supports per idea")),
    (
        r"ideas unlike earlier ones \(novelty (?P<novelty>-?[\d.]+)\)",
        N_("ideas unlike earlier ones (novelty {novelty})"),
    ),
    (
        r"ideas on varied topics \(diversity (?P<diversity>-?[\d.]+)\)",
        N_("ideas on varied topics (diversity {diversity})"),
    ),
    (r"early on a theme that grew by (?P<growth>\d+) ideas", N_("early on a theme that grew by {growth} ideas")),
    (r"lead-user survey score (?P<score>-?[\d.]+)", N_("lead-user survey score {score}")),
)

#: The notes that hold figures, as the sections write them in English: each placeholder is a number
#: (written by the reader), or a phrase the catalogue translates (``what``, ``method``), or the
#: groups and sizes of a "too few" note (``sizes``). The reader finds them in a note and writes each
#: from its translated template.
NOTES: tuple[str, ...] = (
    N_("No 95% interval for {what}: {sizes}; each group needs at least {minimum}."),
    N_(
        "Difference in differences over {days}-day windows, SEs clustered by member; "
        "{matched} of {treated} co-creators matched."
    ),
    N_(
        "Channel attribution: a journey is the set of channels that touched a member (members.channel and events "
        "with a channel) up to their first contribution; each channel gets its Shapley value in v(S) = conversions "
        "from journeys whose channels all lie in S ({method}), beside first- and last-touch credit. "
        "{share}% of journeys touch more than one channel; when none do, the three agree."
    ),
    N_(
        "{groups} group(s) with fewer than {size} members ({members} members in all) are not shown and are left "
        "out of what unites and divides the groups."
    ),
    N_(
        "Trained on members' state {days} days before the last event; outcome: co-produced (idea, revision, "
        "co-authorship, builds-on comment) in those days."
    ),
    # why there is no matched comparison (metrics/effectiveness.py)
    N_(
        "No matched comparison: no co-creator has {days}-day windows before and after starting that lie inside "
        "the orders' time span."
    ),
    N_(
        "No matched comparison: no non-participant has {days}-day windows before and after the index day that lie "
        "inside the orders' time span."
    ),
    N_(
        "No matched comparison: none of the {treated} co-creators has a non-participant close enough in propensity "
        "(caliper 0.2 SD of the logit)."
    ),
    N_(
        "No matched comparison: {matched} matched pairs give {rows} rows (before and after for each member), too few "
        "for the regression's {terms} terms; it needs more rows than terms."
    ),
)
#: Notes without figures, read from the catalogue as they are.
PLAIN_NOTES: tuple[str, ...] = (N_("No matched comparison: the dataset has no orders."),)
#: Placeholders of :data:`NOTES` that hold a phrase of the catalogue rather than a number.
NOTE_PHRASES = frozenset({"what", "method"})
#: The phrases those placeholders hold, and the groups a "too few" note names.
NOTE_WORDS: tuple[str, ...] = (
    N_("the diffusion fit"),
    N_("the return-rate difference"),
    N_("the satisfaction difference"),
    N_("the naive comparison"),
    N_("the matched comparison"),
    N_("the cooperation-efficiency correlation"),
    N_("the difference in contributions after a reward"),
    N_("the activation of {channels}"),
    N_("exact"),
    N_("joiners"),
    N_("answered"),
    N_("unanswered"),
    N_("co-creators"),
    N_("others"),
    N_("non-participants"),
    N_("matched co-creators"),
    N_("matched non-participants"),
    N_("month-on-month changes"),
    N_("rewarded"),
    N_("comparable"),
    N_("members"),
)

#: Text columns whose values are themselves figure keys or names of characteristics.
KEY_COLUMNS = frozenset({"measure", "covariate", "feature", "item"})

_INTERVAL = "_95"


#: The opinion groups' columns of each group ``<column>_g<n>``: their label names the group.
GROUP_COLUMNS: dict[str, Figure] = {
    "agree": F(N_("Group {group}: agree"), COUNT, N_("Members of the group who agreed with the idea.")),
    "disagree": F(N_("Group {group}: disagree"), COUNT, N_("Members of the group who disagreed with the idea.")),
    "votes": F(N_("Group {group}: votes"), COUNT, N_("Members of the group who voted on the idea.")),
    "p_agree": F(
        N_("Group {group}: agreement"), SHARE, N_("The group's agreement with the idea (smoothed share agreeing).")
    ),
}
_GROUP_COLUMN = re.compile(r"(?P<column>[a-z_]+)_g(?P<group>\d+)")


def group_column(key: str) -> tuple[Figure, int] | None:
    """A per-group column (``p_agree_g0``) as its figure and its group's number; ``None`` for any other key."""
    found = _GROUP_COLUMN.fullmatch(key)
    if found is None or found["column"] not in GROUP_COLUMNS:
        return None
    return GROUP_COLUMNS[found["column"]], int(found["group"])


def figure(section: str, key: str) -> Figure | None:
    """How figure ``key`` of ``section`` reads; an interval (``..._95``) reads as its figure's; ``None`` if unknown."""
    found = SECTION_FIGURES.get((section, key)) or FIGURES.get(key)
    if found is None and (per_group := group_column(key)) is not None:
        return per_group[0]
    if found is None and key.endswith(_INTERVAL):
        base = SECTION_FIGURES.get((section, key[: -len(_INTERVAL)])) or FIGURES.get(key[: -len(_INTERVAL)])
        if base is not None:
            return Figure(base.label, base.unit, base.explanation)
    return found


def interval(key: str) -> bool:
    """Whether ``key`` names the 95% interval of another figure."""
    return key.endswith(_INTERVAL) and key not in FIGURES


def table_label(name: str) -> str:
    """The English name of table ``name``; the key itself where none is written."""
    return TABLES.get(name, name)


# --- co-produced messages (metrics/messages.py): kept in one block -----------------------------

TITLES["messages"] = N_("Do co-written messages convert better, and in which media?")
TABLES.update(
    {
        "message_arms": N_("Message experiments: each arm"),
        "message_media": N_("Co-produced against company messages, by medium"),
    }
)
_CO_BETTER = N_("Chance co-produced is better")
_CO_BETTER_WHY = N_("The probability that co-produced messages convert more than the company's.")
_VERDICT = N_("What the data say")
_VERDICT_WHY = N_("Co-produced or company messages better, or no difference (the 95% interval holds zero).")
SECTION_FIGURES.update(
    {
        ("messages", key): figure_
        for key, figure_ in {
            "experiment": F(N_("Experiment"), RANK, N_("The experiment's number.")),
            "arm": F(N_("Arm"), RANK, N_("The arm's number: one message in one channel.")),
            "source": F(N_("Written by"), TEXT, N_("Co-produced by members, or the company's own.")),
            "medium": F(N_("Medium"), TEXT, N_("Personal (email, social, push) or mass (banners, in-store codes).")),
            "assigned": F(N_("Given the arm"), COUNT, N_("Members given this arm.")),
            "exposed": F(N_("Opened the link"), COUNT, N_("Members who opened their tracked link.")),
            "converted": F(N_("Converted"), COUNT, N_("Members who took a landing action after opening it.")),
            "conversion": F(N_("Conversion"), SHARE, N_("Members who converted, of the members given the arm.")),
            "posterior_mean": F(
                N_("Conversion, posterior mean"), SHARE, N_("The rate's Beta posterior mean from a Beta(1, 1) prior.")
            ),
            "low_95": F(N_("Low (95%)"), SHARE, N_("Lower end of the 95% credible interval.")),
            "high_95": F(N_("High (95%)"), SHARE, N_("Upper end of the 95% credible interval.")),
            "p_best": F(N_("Chance of being best"), SHARE, N_("The probability that this arm converts best of all.")),
            "expected_loss": F(
                N_("Expected loss"), SHARE, N_("The conversion given up on average by choosing this arm.")
            ),
            "experiments": F(N_("Experiments"), COUNT, N_("Message experiments in the dataset.")),
            "arms": F(N_("Arms"), COUNT, N_("Arms of every experiment.")),
            "co_assigned": F(N_("Co-produced: given"), COUNT, N_("Members given a co-produced message.")),
            "co_converted": F(N_("Co-produced: converted"), COUNT, N_("Of those, members who converted.")),
            "co_conversion": F(N_("Co-produced: conversion"), SHARE, N_("Conversion of co-produced messages.")),
            "company_assigned": F(N_("Company: given"), COUNT, N_("Members given a company message.")),
            "company_converted": F(N_("Company: converted"), COUNT, N_("Of those, members who converted.")),
            "company_conversion": F(N_("Company: conversion"), SHARE, N_("Conversion of company messages.")),
            "difference": F(
                N_("Difference"), SHARE, N_("Co-produced conversion minus company conversion (posterior mean).")
            ),
            "p_co_better": F(_CO_BETTER, SHARE, _CO_BETTER_WHY),
            "verdict": F(_VERDICT, TEXT, _VERDICT_WHY),
            "personal_co_conversion": F(
                N_("Personal media: co-produced conversion"), SHARE, N_("Conversion of co-produced messages.")
            ),
            "personal_company_conversion": F(
                N_("Personal media: company conversion"), SHARE, N_("Conversion of company messages.")
            ),
            "personal_p_co_better": F(N_("Personal media: chance co-produced is better"), SHARE, _CO_BETTER_WHY),
            "personal_verdict": F(N_("Personal media: what the data say"), TEXT, _VERDICT_WHY),
            "mass_co_conversion": F(
                N_("Mass media: co-produced conversion"), SHARE, N_("Conversion of co-produced messages.")
            ),
            "mass_company_conversion": F(
                N_("Mass media: company conversion"), SHARE, N_("Conversion of company messages.")
            ),
            "mass_p_co_better": F(N_("Mass media: chance co-produced is better"), SHARE, _CO_BETTER_WHY),
            "mass_verdict": F(N_("Mass media: what the data say"), TEXT, _VERDICT_WHY),
            "interaction_difference": F(
                N_("Co-writing's gain, personal minus mass media"),
                SHARE,
                N_("The difference of differences: what co-writing adds in personal media minus in mass media."),
            ),
            "interaction_p_positive": F(
                N_("Chance co-writing helps more in personal media"),
                SHARE,
                N_("The probability that the difference of differences is above zero."),
            ),
            "interaction_verdict": F(N_("Personal against mass media: what the data say"), TEXT, _VERDICT_WHY),
        }.items()
    }
)
_VERDICTS = {
    "co-produced better": N_("Co-produced messages convert better"),
    "company better": N_("The company's messages convert better"),
    "no difference": N_("No difference"),
}
VALUES.update(
    {
        "source": {"co-produced": N_("Co-produced"), "company": N_("The company")},
        "medium": {"personal": N_("Personal"), "mass": N_("Mass")},
        "verdict": _VERDICTS,
        "personal_verdict": _VERDICTS,
        "mass_verdict": _VERDICTS,
        "interaction_verdict": {
            "co-produced better": N_("Co-writing helps more in personal media"),
            "company better": N_("Co-writing helps more in mass media"),
            "no difference": N_("No difference"),
        },
    }
)

#: The words the charts draw from their data (a legend's entries, an axis's categories), by column;
#: a table showing the same column reads the same.
VALUES.update(
    {
        "stage": {"collect": N_("Collecting"), "process": N_("Processing"), "analyse": N_("Analysing")},
        "credit": {"first touch": N_("First touch"), "last touch": N_("Last touch"), "shapley": N_("Fair split")},
        "level": _LEVELS,
        "move": {"up": N_("Moved up"), "held": N_("Stayed"), "down": N_("Moved down")},
        "side": {"company": N_("The company"), "prosumers": N_("The community")},
        "rule": {**VALUES["split_rule"], "received": N_("What was received")},
        "item": {
            "co-created revenue": N_("Co-created revenue"),
            "programme cost": N_("Programme cost"),
            "royalties": N_("Royalties paid"),
        },
        "interval": {"too few": N_("too few")},
        "group": {
            **VALUES["group"],
            "rewarded_after": N_("Rewarded, after"),
            "comparable_after": N_("Comparable, after"),
        },
    }
)

#: The title of a chart's axis or legend drawn from a column that no figure of the section names.
CHART_FIELDS: dict[str, str] = {
    "measure": N_("Measure"),
    "feature": N_("Predictor"),
    "coefficient": N_("Coefficient"),
    "item": N_("Item"),
    "side": N_("Side"),
    "group": N_("Group"),
    "period": N_("Period"),
    "level": N_("Level"),
    "move": N_("Change of level"),
    "month": N_("Month"),
    "stage": N_("Stage"),
    "step": N_("Step"),
    "segment": N_("Segment"),
    "channel": N_("Channel"),
    "retention": N_("Retention"),
    "members": N_("Members"),
    "count": N_("Members"),
    "fitted": N_("Fitted by the model"),
    "conversions": N_("Conversions"),
    "label": N_("Arm"),
    "rule": N_("Split rule"),
    "v": N_("Perfect calibration"),
}
#: A chart's money axis: the amount, in the currency it is in.
CHART_AMOUNT = N_("Amount ({currency})")
