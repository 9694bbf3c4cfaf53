"""`python -m lakehouse_assets.bench [--quick] [--repeat N] ...`: see lakehouse_assets/bench/runner.py."""

import sys

from lakehouse_assets.bench.runner import main

sys.exit(main())
