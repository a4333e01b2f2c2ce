"""Writes for campaigns, ideas, amendments, invitations, votes, comments, stages, merges and moderation."""

from prosumo.ideas.services.amendments import (
    amendment_accept,
    amendment_propose,
    amendment_reject,
    amendment_request_changes,
    amendment_update,
)
from prosumo.ideas.services.campaigns import campaign_create, campaign_update, translated_fields
from prosumo.ideas.services.comments import comment_edit, comment_post
from prosumo.ideas.services.ideas import (
    attachment_add,
    coauthor_invite,
    coauthor_invite_by_email,
    coauthor_respond,
    idea_follow,
    idea_revise,
    idea_submit,
    idea_unfollow,
)
from prosumo.ideas.services.invitations import (
    invitation_create,
    invitation_take_up,
    invitations_create,
    members_invite,
)
from prosumo.ideas.services.merge import duplicate_dismiss, idea_merge, merged_support_withdraw
from prosumo.ideas.services.moderation import content_hide, content_restore, flag_create, flag_dismiss
from prosumo.ideas.services.reviews import review_submit
from prosumo.ideas.services.stages import answer_reminders_send, stage_change, support_gates_expire
from prosumo.ideas.services.votes import VoteResult, vote_cast, vote_withdraw, votes_withdraw_all

__all__ = [
    "VoteResult",
    "amendment_accept",
    "amendment_propose",
    "amendment_reject",
    "amendment_request_changes",
    "amendment_update",
    "answer_reminders_send",
    "attachment_add",
    "campaign_create",
    "campaign_update",
    "coauthor_invite",
    "coauthor_invite_by_email",
    "coauthor_respond",
    "comment_edit",
    "comment_post",
    "content_hide",
    "content_restore",
    "duplicate_dismiss",
    "flag_create",
    "flag_dismiss",
    "idea_follow",
    "idea_merge",
    "idea_revise",
    "idea_submit",
    "idea_unfollow",
    "invitation_create",
    "invitation_take_up",
    "invitations_create",
    "members_invite",
    "merged_support_withdraw",
    "review_submit",
    "stage_change",
    "support_gates_expire",
    "translated_fields",
    "vote_cast",
    "vote_withdraw",
    "votes_withdraw_all",
]
