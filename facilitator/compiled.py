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


def rows_insert(model: type[Model], rows: list[dict], *, using: str) -> None:
    """INSERT ``rows`` of ``model`` in one statement, each a dict of field name to
    value (the same fields in each, every required one given: no defaults are filled
    in and no signal is sent). Each value is prepared by its field, as the ORM's own
    insert does; only the compiling is left out."""
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in rows[0]]
    columns = ", ".join(quote(field.column) for field in fields)  # type: ignore[union-attr]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [field.get_db_prep_save(values[field.name], connection) for values in rows for field in fields]  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {', '.join([row] * len(rows))}",  # noqa: S608 - names from the model, values as parameters
            params,
        )


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
