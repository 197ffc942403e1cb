"""Query counts per page, for the page benchmark's measuring child (``page_times.py``): the shape of
a query (its SQL without literal values), the same shape repeated in one request (a possible N+1),
and a count that differs between two requests of the same page."""

import re

from common import REPEATED_QUERY


def query_shape(sql: str) -> str:
    """The SQL with its literal values taken out, to compare queries across requests."""
    shape = re.sub(r"'(?:[^']|'')*'", "?", sql)
    shape = re.sub(r"\b\d+(\.\d+)?\b", "?", shape)
    return re.sub(r"\(\s*\?(\s*,\s*\?)*\s*\)", "(…)", shape)


def check_queries(name, queries, problems) -> None:
    shapes: dict[str, int] = {}
    for sql in queries:
        shape = query_shape(sql)
        shapes[shape] = shapes.get(shape, 0) + 1
    for shape, count in shapes.items():
        if count >= REPEATED_QUERY:
            problems.append(
                f"{name}: the same query {count} times in one request (N+1?): {shape[:160]}"
            )


def compare_requests(name, path, first_queries, last_queries, problems) -> None:
    """A problem if two requests of one page made a different number of queries, with the query
    shapes only one of them made."""
    if len(first_queries) == len(last_queries):
        return
    first_shapes = [query_shape(q) for q in first_queries]
    later_shapes = [query_shape(q) for q in last_queries]
    only_first = [q for q in first_shapes if q not in later_shapes]
    only_later = [q for q in later_shapes if q not in first_shapes]
    problems.append(
        f"{name} ({path}): {len(first_queries)} queries on the first request, "
        f"{len(last_queries)} on a later one"
        + (f"; only the first: {' | '.join(q[:140] for q in only_first)}" if only_first else "")
        + (f"; only later: {' | '.join(q[:140] for q in only_later)}" if only_later else "")
    )
