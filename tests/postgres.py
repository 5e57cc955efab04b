"""Tests that need PostgreSQL itself (its constraints, several processes on one database):
marked ``postgres`` and skipped on SQLite with the reason, which says how to run them."""

import pytest
from django.db import connection


def postgres_only(why: str) -> list:
    """The marks of a module that runs on PostgreSQL only, ``why`` saying what needs it."""
    return [
        pytest.mark.postgres,
        pytest.mark.skipif(
            connection.vendor != "postgresql",
            reason=f"PostgreSQL only (set DATABASE_URL=postgres://...): {why}",
        ),
    ]
