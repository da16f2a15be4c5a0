"""Patterns for ``pytest.raises(match=...)`` shared by the test files."""

from __future__ import annotations

import re


def exactly(message: str) -> str:
    """A pattern that matches exactly ``message`` (escaped, anchored at both ends)."""
    return "^" + re.escape(message) + "$"
