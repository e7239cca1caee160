"""Settings for benchmarks: the project's own, plus a bench-only URL for the baseline view."""

from govshare.settings import *  # noqa: F403

ROOT_URLCONF = "bench._urls"
