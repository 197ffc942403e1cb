"""What some tests need beyond Python (Chromium, vnu.jar and Java, Varnish): without it they are
skipped, saying why, and the run's summary repeats it; with the group's ``*_REQUIRED`` variable
set (``.ci/run`` sets them all) that is a failure instead, since CI must have run them."""

import os

import pytest


class Needed:
    def __init__(self, label: str, variable: str):
        self.label, self.variable = label, variable  # "browser tests (tests/e2e)", "E2E_REQUIRED"
        self.skipped: list[str] = []

    @property
    def required(self) -> bool:
        return os.environ.get(self.variable, "").strip().lower() in {"1", "true", "yes", "on"}

    def unavailable(self, reason: str):
        """Skip (or fail, when required) the test asking, saying why."""
        if self.required:
            pytest.fail(f"{self.variable} is set but the {self.label} cannot run: {reason}", False)
        if not self.skipped:
            self.skipped.append(reason)
        pytest.skip(f"{self.label[:1].upper()}{self.label[1:]} skipped: {reason}")

    def summarise(self, terminalreporter) -> None:
        """For ``pytest_terminal_summary``: one line if anything was skipped."""
        if self.skipped:
            terminalreporter.write_sep(
                "!", f"{self.label.upper()} SKIPPED: {self.skipped[0]}", yellow=True, bold=True
            )
