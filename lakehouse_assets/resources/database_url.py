"""Where a database is, from the URL in an environment variable: host, port, database name.

The mart database (`mart_db.py`, `mysql://HOST:PORT/DATABASE`) and the CRM database
(`crm_db.py`, `jdbc:postgresql://HOST:PORT/DATABASE`) are both named by a URL that must
never carry credentials (those come from variables of their own, or a secret store). One
parser checks both, so a URL is refused with the same care whichever database it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class DatabaseAddress:
    host: str
    port: int
    database: str


@dataclass(frozen=True)
class UrlForm:
    """What one database's URL must look like, and the variables a refusal names."""

    variable: str  # the environment variable holding the URL
    example: str  # shown when the URL does not parse
    schemes: tuple[str, ...]
    default_port: int
    user_variable: str
    password_variable: str
    prefix: str = ""  # taken off before parsing, e.g. "jdbc:"


def parse_database_url(url: str, form: UrlForm, error: type[Exception] = ValueError) -> DatabaseAddress:
    """`url` -> its host, port (the form's default when absent) and database; `error` naming
    `form.variable` when the URL holds credentials (user, password, or a password query
    parameter) or is not of the form."""
    text = url.strip()
    if form.prefix:
        text = text[len(form.prefix):] if text.startswith(form.prefix) else ""
    parts = urlsplit(text)
    database = parts.path.strip("/")
    # Credentials first: the refusal of a malformed URL repeats it, and must not repeat a password.
    if parts.username or parts.password or "password" in parts.query.lower():
        raise error(f"{form.variable} must not hold credentials: set {form.user_variable} and "
                    f"{form.password_variable}")
    if parts.scheme not in form.schemes or not parts.hostname or not database or "/" in database:
        raise error(f"{form.variable} must look like {form.example} (got {url!r})")
    return DatabaseAddress(parts.hostname, parts.port or form.default_port, database)
