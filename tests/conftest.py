"""Test-wide settings.

Hypothesis: no per-example deadline (the machines are shared and small); under CI
(``CI=true``) the search is derandomized so a run is reproducible, while local runs keep
exploring new examples. Failures found locally are pinned as explicit tests.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("dev", deadline=None, print_blob=True)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
