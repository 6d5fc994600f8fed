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
