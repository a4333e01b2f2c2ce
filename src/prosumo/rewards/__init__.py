"""Rewards: points, badges, leaderboards and royalty pools for contributors."""
