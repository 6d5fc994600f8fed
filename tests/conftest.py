"""Shared test set-up: hypothesis profiles and the real data in ../shared.

CI (``CI=true``) runs 200 examples per property; a developer's run takes 50.
``HYPOTHESIS_PROFILE=ci`` forces the thorough run locally.
"""

import os
from pathlib import Path

import pytest
from hypothesis import settings

#: Real public data, read in place (its licences forbid copying it into the project).
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


@pytest.fixture
def real_file():
    """``real_file(name)``: the path of a real data file, or a skip that says it is absent."""

    def find(name: str) -> Path:
        path = REAL / name
        if not path.exists():
            pytest.skip(f"real data not found at {path}: ../shared is absent")
        return path

    return find

settings.register_profile("ci", max_examples=200, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(scope="session")
def postgres_url():
    """URL of a PostgreSQL + PostGIS server for the tests (``GEO_TEST_POSTGRES_URL``).

    ``bash scripts/test`` starts a throwaway one (scripts/postgres). Without a
    server the PostGIS tests fail under CI (they must run there) and skip,
    saying why, on a developer's machine.
    """
    import psycopg

    url = os.environ.get("GEO_TEST_POSTGRES_URL")
    why = None
    if not url:
        why = ("no PostgreSQL + PostGIS server: GEO_TEST_POSTGRES_URL is not set (`bash scripts/test` starts one; "
               "by hand: eval \"$(bash scripts/postgres start)\"; export GEO_TEST_POSTGRES_URL)")
    else:
        try:
            with psycopg.connect(url, connect_timeout=5) as conn:
                conn.execute("SELECT postgis_version()")
        except psycopg.Error as exc:
            why = f"the PostgreSQL server at GEO_TEST_POSTGRES_URL cannot be used for PostGIS tests: {exc}"
    if why:
        if os.environ.get("CI"):
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    return url


@pytest.fixture
def pg_url(postgres_url):
    """A PostGIS workspace URL of its own for each test: a fresh schema, dropped afterwards."""
    import uuid

    import psycopg

    schema = f"test_{uuid.uuid4().hex[:12]}"
    yield f"{postgres_url}{'&' if '?' in postgres_url else '?'}options=-csearch_path%3D{schema}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
