"""The lakehouse catalog: every Delta table registered in a Glue-compatible catalog (docs/catalog.md).

- `glue_types`: Spark types as Glue (Hive) type names;
- `tables`: a table's catalog entry and its Glue `TableInput` (pure);
- `graph`: the entries of every table of the asset graph, from the specs and contracts;
- `glue`: create the database and the tables, update a table only when it differs;
- `register`: the three together for a lakehouse root;
- `job`: the `register_catalog` job and the sensor that runs it after the asset jobs.
"""
