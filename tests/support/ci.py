"""Skipping rules shared by the tests that need real desktop binaries."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def skip_outside_ci(reason: str) -> NoReturn:
    """Skip on a bare developer machine; in CI, .ci/test installs everything, so fail."""
    if not os.environ.get("CI"):
        pytest.skip(reason)
    pytest.fail(f"CI must not skip: {reason}")
