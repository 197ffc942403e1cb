"""What the API's shapes are declared with. Each piece both makes JSON and describes it.

An :class:`Object` is a list of :class:`Field` objects: a name, where the value comes from and
its type. Calling an Object turns a model instance into a dict. :meth:`Object.definition` gives
the JSON Schema 2020-12 of that dict. A :class:`Parameter` is a query parameter: its schema, how
its value is read (a bad value is a :class:`BadRequest` naming it) and what it means. The views
answer with these pieces and ``api/openapi.py`` describes the same ones, so a response cannot
disagree with its description.

The schemas are closed: an object with a property that is not declared fails validation. The
tests check every response against the document, so they also catch a field that should not be
there (a reporter's private email, say).
"""

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from core.cache import canonical_query


class BadRequest(Exception):
    """A query parameter's value cannot be used; the answer is a 400 naming ``parameter``."""

    def __init__(self, parameter: str, message: str):
        self.parameter = parameter
        self.message = message
        super().__init__(message)


class Type:
    """A kind of JSON value: its schema, and how a Python value becomes one."""

    def schema(self) -> dict:
        raise NotImplementedError

    def converter(self) -> Callable[[Any], Any] | None:
        """Turns a Python value into this JSON value; None if the value needs no change."""
        return None

    def children(self) -> Iterable["Type"]:
        return ()


class Scalar(Type):
    def __init__(self, json_type: str, convert: Callable | None = None, **keywords):
        self.keywords = {"type": json_type, **keywords}
        self.convert = convert

    def schema(self) -> dict:
        return dict(self.keywords)

    def converter(self):
        return self.convert


def string(description: str = "", **keywords) -> Scalar:
    if description:
        keywords["description"] = description
    return Scalar("string", **keywords)


def integer(**keywords) -> Scalar:
    return Scalar("integer", **keywords)


class Nullable(Type):
    """``inner``, or null."""

    def __init__(self, inner: Type):
        self.inner = inner

    def schema(self) -> dict:
        inner = self.inner.schema()
        if "type" not in inner:  # a $ref: its target says what it is
            return {"oneOf": [inner, {"type": "null"}]}
        return {**inner, "type": [inner["type"], "null"]}

    def converter(self):
        convert = self.inner.converter()
        if convert is None:
            return None
        return lambda value: None if value is None else convert(value)

    def children(self):
        return (self.inner,)


class ListOf(Type):
    """An array of ``inner``, from any iterable (a prefetched manager's ``all()``, say)."""

    def __init__(self, inner: Type):
        self.inner = inner

    def schema(self) -> dict:
        return {"type": "array", "items": self.inner.schema()}

    def converter(self):
        convert = self.inner.converter()
        if convert is None:
            return list
        return lambda values: [convert(value) for value in values]

    def children(self):
        return (self.inner,)


class MapOf(Type):
    """A JSON object whose property names are chosen by the data (``names``, a regular
    expression, says which may occur) and whose values are all ``inner``: ninjs
    ``associations`` and ``renditions``. Made from a dict, in its order."""

    def __init__(self, inner: Type, *, names: str = ""):
        self.inner = inner
        self.names = names

    def schema(self) -> dict:
        schema = {"type": "object", "additionalProperties": self.inner.schema()}
        if self.names:
            schema["propertyNames"] = {"pattern": self.names}
        return schema

    def converter(self):
        convert = self.inner.converter()
        if convert is None:
            return dict
        return lambda values: {name: convert(value) for name, value in values.items()}

    def children(self):
        return (self.inner,)


class Field:
    """One property of an :class:`Object`.

    ``source`` is the attribute to read (dotted, default ``name``) or a function of the object.
    With ``when``, the property is there only for objects it is true of, and not required.
    """

    def __init__(
        self,
        name: str,
        type: Type,
        source: str | Callable | None = None,
        *,
        description: str = "",
        when: Callable[[Any], bool] | None = None,
    ):
        self.name = name
        self.type = type
        self.description = description
        self.when = when
        get = source if callable(source) else operator.attrgetter(source or name)
        convert = type.converter()
        # Composed once here: a page of 100 stories reads some ten thousand fields.
        self.value = get if convert is None else (lambda obj: convert(get(obj)))

    def schema(self) -> dict:
        schema = self.type.schema()
        return {**schema, "description": self.description} if self.description else schema


class Object(Type):
    """A JSON object of ``fields``. Named, it is a component of the OpenAPI document and other
    schemas refer to it. Unnamed, its schema is written out where it is used."""

    def __init__(self, *fields: Field, name: str = "", description: str = ""):
        self.fields = fields
        self.name = name
        self.description = description

    def __call__(self, obj) -> dict:
        data = {}
        for field in self.fields:
            if field.when is None or field.when(obj):
                data[field.name] = field.value(obj)
        return data

    def schema(self) -> dict:
        return {"$ref": f"#/components/schemas/{self.name}"} if self.name else self.definition()

    def definition(self) -> dict:
        schema = {
            "type": "object",
            "properties": {field.name: field.schema() for field in self.fields},
            "required": [field.name for field in self.fields if field.when is None],
            "additionalProperties": False,
        }
        if self.description:
            schema["description"] = self.description
        return schema

    def converter(self):
        return self

    def children(self):
        return [field.type for field in self.fields]


def components(types: Iterable[Type]) -> dict[str, dict]:
    """The definitions of every named Object in ``types`` and in the types they hold, by name."""
    found: dict[str, dict] = {}

    def visit(type_: Type) -> None:
        if isinstance(type_, Object) and type_.name:
            definition = type_.definition()
            if type_.name in found:
                # The same shape may be declared twice with different sources (a reporter's or
                # an organization's summary); two shapes under one name would be a lie.
                if found[type_.name] != definition:
                    raise ValueError(f"Two different objects are both called {type_.name}.")
                return
            found[type_.name] = definition
        for child in type_.children():
            visit(child)

    for type_ in types:
        visit(type_)
    return found


@dataclass(frozen=True)
class Parameter:
    """A query parameter: how the request's value is read, and what the document says of it.

    ``parse(parameter, text)`` turns a non-empty value into a Python value or raises
    :class:`BadRequest`. A missing or empty value is ``default``. ``narrow(queryset, value)``
    applies a list filter. With ``stored`` false, the page cache never keeps an answer that was
    asked with this parameter (any moment can be asked for ``since``, so each would add an entry).
    """

    name: str
    type: Scalar
    description: str
    parse: Callable[["Parameter", str], Any]
    default: Any = None
    narrow: Callable | None = None
    stored: bool = True

    def read(self, query) -> Any:
        text = query.get(self.name)
        return self.default if not text else self.parse(self, text)

    def document(self) -> dict:
        return {
            "name": self.name,
            "in": "query",
            "required": False,
            "description": self.description,
            "schema": self.type.schema(),
        }


class Query(dict):
    """An endpoint's query parameters as read, by name.

    ``canonical`` is the one spelling of the query that the page cache may store the answer
    under, or None if the answer is never stored. A parameter without a default (a filter)
    counts as sent; one with a default (page, page_size) only when it is not the default.
    """

    canonical: str | None = ""


def read_query(request, parameters: Iterable[Parameter]) -> Query:
    """Read ``parameters`` from the request, in order: the first bad one is the 400."""
    query = Query()
    pairs = []
    storable = True
    for parameter in parameters:
        query[parameter.name] = value = parameter.read(request.GET)
        if parameter.name not in request.GET:
            continue
        storable = storable and parameter.stored
        if parameter.default is None:
            pairs.append((parameter.name, request.GET[parameter.name]))
        elif value != parameter.default:
            pairs.append((parameter.name, str(value)))
    query.canonical = canonical_query(pairs) if storable else None
    return query
