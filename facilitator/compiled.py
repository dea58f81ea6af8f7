"""SQL that the ORM compiles once per process, for the few statements every check-in
runs (thousands in an evening).

Turning a queryset into SQL is most of what a small indexed read costs in Python, and
the SQL is the same each time: only the parameters change. So a caller builds its
queryset once with placeholder values, keeps the SQL (``functools.cache`` per
database alias) and runs it with the real values. ``compiled_sql`` checks that the
placeholders are all the parameters the SQL takes, in that order, so a changed
queryset fails loudly instead of running with the wrong values. ``rows_insert`` and
``row_update`` write rows the same way: the fields prepare the values, nothing is
compiled.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import Model, QuerySet


def compiled_sql(queryset: QuerySet, alias: str, *, placeholders: tuple) -> str:
    """The SQL of ``queryset`` on the database ``alias``, taking exactly the
    parameters ``placeholders`` stood for, in the same order."""
    sql, params = queryset.query.get_compiler(using=alias).as_sql()
    if tuple(params) != placeholders:
        raise RuntimeError(f"expected the parameters {placeholders!r}, the SQL takes {tuple(params)!r}")
    return sql


def _insert(connection, model: type[Model], rows: list[dict]) -> tuple[str, list]:
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in rows[0]]
    columns = ", ".join(quote(field.column) for field in fields)  # type: ignore[union-attr]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [field.get_db_prep_save(values[field.name], connection) for values in rows for field in fields]  # type: ignore[union-attr]
    table = quote(model._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(rows))}", params  # noqa: S608 - names from the model, values as parameters


def rows_insert(*tables: tuple[type[Model], list[dict]], using: str) -> None:
    """INSERT the rows of each ``(model, rows)``, in that order: each row a dict of
    field name to value (the same fields in each, every required one given: no
    defaults are filled in and no signal is sent), each value prepared by its field
    as the ORM's own insert does; only the compiling is left out.

    One statement per table, or on PostgreSQL one in all (every INSERT but the last
    in a WITH): one round trip for the check-in's three tables. Foreign keys between
    them hold: Django makes them deferrable there, checked at commit."""
    connection = connections[using]
    statements = [_insert(connection, model, rows) for model, rows in tables if rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(statements) > 1:
            *before, (last, _params) = statements
            parts = ", ".join(f"inserted_{n} AS ({sql})" for n, (sql, _params) in enumerate(before))
            cursor.execute(f"WITH {parts} {last}", [param for _sql, params in statements for param in params])
        else:
            for sql, params in statements:
                cursor.execute(sql, params)


def row_update(instance: Model, fields: list[str], *, using: str) -> None:
    """UPDATE the columns ``fields`` of ``instance``'s row to its values, and nothing
    else (no signal, no other column written back): ``save(update_fields=...)``
    without the compiling."""
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = instance._meta
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)  # type: ignore[union-attr]
    params = [field.get_db_prep_save(getattr(instance, field.attname), connection) for field in columns]  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s",  # type: ignore[union-attr]  # noqa: S608 - names from the model, values as parameters
            [*params, meta.pk.get_db_prep_value(instance.pk, connection)],  # type: ignore[union-attr]
        )
