"""Parses each saved Athena query (Trino dialect, as Athena engine 3 runs it) with sqlglot and resolves every table and
column it names against the Glue tables' columns. Input on stdin: {"tables": {name: {column: hive type}}, "queries":
{name: sql}}. Output: {name: null | "error"}."""
import json
import sys

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema


def main():
    data = json.load(sys.stdin)
    # The Glue column types are Hive DDL: read them as such.
    schema = MappingSchema(data["tables"], dialect="hive")
    results = {}
    for name, sql in data["queries"].items():
        try:
            tree = sqlglot.parse_one(sql, read="trino")
            for table in tree.find_all(exp.Table):
                if table.name not in data["tables"]:
                    raise ValueError(f"unknown table {table.name}")
            qualify(tree, schema=schema, dialect="trino", validate_qualify_columns=True, quote_identifiers=False)
            results[name] = None
        except Exception as e:  # noqa: BLE001 - the message is the result
            results[name] = f"{type(e).__name__}: {e}"
    json.dump(results, sys.stdout)


main()
