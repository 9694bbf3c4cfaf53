"""The toy lakehouse the IO manager's tests write to: a fresh folder per test."""

import pytest

from lakehouse_assets.io_managers.tables import DeltaTables


@pytest.fixture
def lake(spark, tmp_path, monkeypatch) -> DeltaTables:
    """The test's lakehouse root (and an empty landing zone), as the `test` environment's settings."""
    monkeypatch.setenv("LAKEHOUSE_ENV", "test")
    monkeypatch.setenv("LAKEHOUSE_ROOT", str(tmp_path / "lakehouse"))
    monkeypatch.setenv("LAKEHOUSE_LANDING_ROOT", str(tmp_path / "landing"))
    return DeltaTables(spark, str(tmp_path / "lakehouse"))
