"""The local FX API of `lakehouse fx-api`, started on a free port for a test, and a client of it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace

import pytest

from lakehouse_assets.fx_api.client import TOKEN_VAR, URL_VAR, FxApiClient
from lakehouse_assets.generate.fx_server import FxApiOptions, FxApiServer, serve

TOKEN = "test-fx-token"
OPTIONS = FxApiOptions(token=TOKEN, seed=7, page_size=2)


@contextlib.contextmanager
def fx_api(**changes) -> Iterator[FxApiServer]:
    """The real server in a thread, with `OPTIONS` changed by `changes`."""
    with serve(replace(OPTIONS, **changes)) as server:
        yield server


def client_of(server: FxApiServer, token: str = TOKEN, max_wait_seconds: float = 10.0) -> FxApiClient:
    return FxApiClient(server.url, token, timeout_seconds=5.0, max_wait_seconds=max_wait_seconds)


@contextlib.contextmanager
def fx_env(server: FxApiServer | None, token: str = TOKEN) -> Iterator[None]:
    """LAKEHOUSE_FX_API_URL and _TOKEN pointing at `server`; both unset for None."""
    with pytest.MonkeyPatch.context() as patch:
        if server is None:
            patch.delenv(URL_VAR, raising=False)
            patch.delenv(TOKEN_VAR, raising=False)
        else:
            patch.setenv(URL_VAR, server.url)
            patch.setenv(TOKEN_VAR, token)
        yield
