"""The package keeps the house layering (`[tool.importlinter]` in pyproject.toml); no JVM.

A module imports only from its own layer or the layers below it: cli -> definitions ->
jobs/orchestration -> assets/checks -> transforms -> storage/resources -> config. The
linter runs in a subprocess, as `lint-imports` would from the repository root, so its
import graph and its change to `sys.path` stay out of the test session.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from importlinter.api import read_configuration

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"


def test_the_layers_contract_covers_the_whole_package():
    contracts = read_configuration(str(PYPROJECT))["contracts_options"]
    layers = [c for c in contracts if c["type"] == "layers"]
    assert len(layers) == 1, contracts
    assert layers[0]["containers"] == ["lakehouse_assets"]
    assert layers[0]["exhaustive"] in (True, "True", "true"), "every top-level module must sit in a layer"
    assert layers[0]["layers"][0] == "cli"


def test_the_package_keeps_its_layers():
    run = subprocess.run([sys.executable, "-c", LINT], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"import-linter found a broken contract:\n{run.stdout}\n{run.stderr}"
    assert "0 broken" in run.stdout, run.stdout
