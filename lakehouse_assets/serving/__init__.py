"""Serving (SPEC §6): the marts in a MySQL-compatible database, its migrations, BI views and role.

`tables.py` what is served, `export.py` a month replaced in one transaction,
`checks.py` the database against gold, `assets.py` the `serving/<mart>` assets,
`migrate.py` with `sql/` the versioned schema, `local_server.py` a local MariaDB for
`make stack` and the tests. See docs/serving.md.
"""
