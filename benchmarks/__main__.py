"""`python -m benchmarks [--quick] [--repeat N] ...`: see benchmarks/runner.py."""

import sys

from benchmarks.runner import main

sys.exit(main())
