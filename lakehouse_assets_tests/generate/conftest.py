"""Shared generated landing zones (module-independent, built once per test session)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from lakehouse_assets.generate import GenerateSummary, generate
from lakehouse_assets_tests.generate.spec_check import LandedFile, load_landing

# Crosses a leap day and a month end, so date arithmetic is exercised.
START = date(2024, 2, 27)


@dataclass
class Landing:
    root: Path
    summary: GenerateSummary
    files: list[LandedFile]

    def of(self, source: str) -> list[LandedFile]:
        return [f for f in self.files if f.source == source]


@pytest.fixture(scope="session")
def clean_landing(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    """4 days, 3,000 order lines a day, no defects."""
    root = tmp_path_factory.mktemp("clean")
    summary = generate(START, 4, str(root), rows_per_day=3000, seed=11, progress=False)
    return Landing(root, summary, load_landing(root))


@pytest.fixture(scope="session")
def defective_landing(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    """10 days at 20% defects: enough days for every kind even in the small sources."""
    root = tmp_path_factory.mktemp("defective")
    summary = generate(START, 10, str(root), rows_per_day=2000, seed=42, defects=0.2, progress=False)
    return Landing(root, summary, load_landing(root))
