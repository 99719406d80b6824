"""What the tests that need real desktop binaries do when one is missing."""

from __future__ import annotations

from typing import NoReturn

import pytest


def fail_missing(what: str) -> NoReturn:
    """Fail, naming what is missing: the README's test command (.ci/test) installs it all.

    Nothing skips, on CI or on a developer's machine: a skipped desktop test would
    hide the very setup gap it exists to catch.
    """
    pytest.fail(f"{what}; run .ci/test (the README's test command), which installs it")
