"""Shared test set-up: hypothesis profiles.

CI (``CI=true``) runs 200 examples per property; a developer's run takes 50.
``HYPOTHESIS_PROFILE=ci`` forces the thorough run locally.
"""

import os

from hypothesis import settings

settings.register_profile("ci", max_examples=200, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
