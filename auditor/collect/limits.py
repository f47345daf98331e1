"""The collection's limits and defaults, apart from the code that collects: the CLI's flags
name them in their help, and an offline audit parses those flags without loading the
Resource Graph client."""

from __future__ import annotations

MAX_SUBSCRIPTIONS_PER_REQUEST = 1000
DEFAULT_BATCH_SIZE = 200  # Resource Graph advises groups of fewer than 300 subscriptions
DEFAULT_CHANGES_DAYS = 14
DEFAULT_MAX_WAIT = 600  # seconds of waiting (throttling, quota, back-off) per collection
DEFAULT_WORKERS = 4
MAX_WORKERS = 16
