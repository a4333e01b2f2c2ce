"""Members' own data: a copy of everything about them, and erasing their account (docs/your-data.md)."""
