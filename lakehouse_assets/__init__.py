"""Retail lakehouse: Dagster assets that turn daily landing files into a Delta Lake star schema."""

import warnings

# Single-run backfill policies are marked beta in this Dagster release and we rely on
# them on purpose; without this filter every command prints one warning per asset.
try:
    from dagster import BetaWarning
except ImportError:  # a Dagster without the beta marker
    pass
else:
    warnings.filterwarnings("ignore", category=BetaWarning)
