"""The one exception every conformance check raises: a list of problems naming the plugin."""

from __future__ import annotations

from typing import Sequence

from maskkit.errors import MaskkitError


class ConformanceError(MaskkitError, AssertionError):
    """A plugin breaks the maskkit contract; the message lists every problem found.

    It is an AssertionError too, so pytest reports it as a test failure with the full message.

    Args:
        subject: how the message names the plugin, e.g. ``dataset 'shapes' (plugin 'shapes')``.
        problems: one message per problem found.
    """

    def __init__(self, subject: str, problems: Sequence[str]) -> None:
        self.subject = subject
        self.problems = list(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        count = len(self.problems)
        super().__init__(f"{subject} fails {count} conformance check{'s' if count != 1 else ''}:\n{lines}")
