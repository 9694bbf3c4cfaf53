"""fx_rates over a REST API (SPEC §7, docs/sources.md): fetched, then landed as a file.

- `client`: `GET {LAKEHOUSE_FX_API_URL}/rates` with the bearer token, pages, Retry-After;
- `landing`: a day's rates as `fx_rates/date=YYYY-MM-DD/api.jsonl`, written only when changed.

The `fetch_fx_rates` job and its schedule are `orchestration/fx_rates.py`; `lakehouse
fetch-fx` and `lakehouse fx-api` are `cli/fx_cmd.py`; the local server that serves the
generator's rates is `generate/fx_server.py`.
"""
