"""Mentions found in the text: the people and organizations a story names, linked automatically.

A known person or organization is linked when its name, native name, short name or one of its
aliases appears in the body as whole words, in the same case. “Xu Li” does not link inside “Xu
Lingling”, nor inside a hyphenated name (“Xu Li-ming”), nor when a longer known name contains it
(“Li Ming Foundation” links the foundation, not a person called Li Ming). Names in a script
written without spaces (Chinese) link only where punctuation or a space sets them off, since a
wrong link puts a story on someone's page and a missed one is easy to add by hand. For the same
reason a name that two known people (or organizations) share links neither.

Linking only adds. An editor who removes a wrongly linked mention has it recorded on the story
(``unlinked_people`` / ``unlinked_organizations``), and linking never adds it back.
"""

import functools
import re
from collections.abc import Iterable

from django.db import transaction

from core.text import html_to_text
from people.models import Organization, Person, split_aliases

from .models import Article

# Names shorter than this are too likely to match ordinary words or initials.
MIN_NAME_LENGTH = 2


@functools.lru_cache(maxsize=4096)
def _pattern(name: str) -> re.Pattern:
    # Whole words: no letter or digit on either side, and no hyphen joining another word on
    # (“Koon-shum” is one name). Any run of spaces in the copy matches a space in the name.
    words = [re.escape(word) for word in name.split()]
    return re.compile(r"(?<!\w)(?<!\w-)" + r"\s+".join(words) + r"(?!\w)(?!-\w)")


def person_names(person: Person) -> list[str]:
    return [person.name, person.native_name, *person.alias_list]


def organization_names(organization: Organization) -> list[str]:
    return [organization.name, organization.short_name, *organization.alias_list]


def find_mentions(
    text: str,
    *,
    people: Iterable[Person] | None = None,
    organizations: Iterable[Organization] | None = None,
) -> tuple[list[Person], list[Organization]]:
    """The people and organizations whose names appear in ``text``, in order of appearance.

    ``people`` and ``organizations`` default to everyone the newsroom knows.
    """
    # Everyone the newsroom knows is read as plain rows (no model objects): hundreds of people
    # for each story imported add up. Only those found are loaded, at the end.
    candidates = []
    for model, given, second_name, names_of in (
        (Person, people, "native_name", person_names),
        (Organization, organizations, "short_name", organization_names),
    ):
        if given is None:
            rows = model.objects.values_list("pk", "name", second_name, "aliases")
            candidates += [
                ((model, pk), [name, second, *split_aliases(aliases)])
                for pk, name, second, aliases in rows
            ]
        else:
            candidates += [((model, obj), names_of(obj)) for obj in given]

    spans: list[tuple[int, int, int]] = []  # (start, end, index into candidates)
    for index, (_, names) in enumerate(candidates):
        for name in {name.strip() for name in names}:
            if len(name) < MIN_NAME_LENGTH or name.split()[0] not in text:
                continue
            spans += [(m.start(), m.end(), index) for m in _pattern(name).finditer(text)]

    # Two known names read the same here (two people called Li Wei): no way to tell which one the
    # story means, so neither is linked and the editor chooses.
    owners: dict[tuple[int, int], set[int]] = {}
    for start, end, index in spans:
        owners.setdefault((start, end), set()).add(index)
    first_seen: dict[int, int] = {}
    for start, end, index in spans:
        if len(owners[start, end]) > 1:
            continue
        inside_longer = any(
            other != index and s <= start and end <= e and (e - s) > (end - start)
            for s, e, other in spans
        )
        if not inside_longer and (index not in first_seen or start < first_seen[index]):
            first_seen[index] = start
    found = [candidates[index][0] for index in sorted(first_seen, key=first_seen.get)]
    return _objects(found, Person), _objects(found, Organization)


def _objects(found, model) -> list:
    """The found people (or organizations), as objects, in the order found."""
    ids = [ref for kind, ref in found if kind is model and not isinstance(ref, model)]
    loaded = model.objects.in_bulk(ids) if ids else {}
    return [ref if isinstance(ref, model) else loaded[ref] for kind, ref in found if kind is model]


@transaction.atomic
def link_mentions(*, article: Article) -> tuple[list[Person], list[Organization]]:
    """Link the known people and organizations named in the story's body; return those added.

    Mentions already there are kept (linking only adds), and anyone an editor removed from this
    story before is left out.
    """
    people, organizations = find_mentions(html_to_text(article.body))
    skip_people = set(article.mentioned_people.values_list("pk", flat=True))
    skip_people |= set(article.unlinked_people.values_list("pk", flat=True))
    skip_organizations = set(article.mentioned_organizations.values_list("pk", flat=True))
    skip_organizations |= set(article.unlinked_organizations.values_list("pk", flat=True))
    new_people = [person for person in people if person.pk not in skip_people]
    new_organizations = [org for org in organizations if org.pk not in skip_organizations]
    if new_people:
        article.mentioned_people.add(*new_people)
    if new_organizations:
        article.mentioned_organizations.add(*new_organizations)
    return new_people, new_organizations


def mentions_snapshot(article: Article) -> tuple[set[int], set[int]]:
    """The story's mentions as stored now: take it before a form saves, for ``record_unlinked``."""
    if article.pk is None:
        return set(), set()
    return (
        set(article.mentioned_people.values_list("pk", flat=True)),
        set(article.mentioned_organizations.values_list("pk", flat=True)),
    )


def _pks(objects: Iterable) -> set[int]:
    return {getattr(obj, "pk", obj) for obj in objects}


@transaction.atomic
def record_unlinked(
    *, article: Article, before_people: Iterable, before_orgs: Iterable
) -> tuple[set[int], set[int]]:
    """Remember the mentions an editor has just removed, so linking does not add them back.

    ``before_people`` and ``before_orgs`` are the mentions (objects or ids) the story had before
    the save. Someone the editor has put back is no longer kept out. Returns the ids newly
    recorded as removed.
    """
    results = []
    for before, mentioned, unlinked in (
        (before_people, article.mentioned_people, article.unlinked_people),
        (before_orgs, article.mentioned_organizations, article.unlinked_organizations),
    ):
        now = set(mentioned.values_list("pk", flat=True))
        kept_out = set(unlinked.values_list("pk", flat=True))
        removed = _pks(before) - now - kept_out
        put_back = now & kept_out
        if removed:
            unlinked.add(*removed)
        if put_back:
            unlinked.remove(*put_back)
        results.append(removed)
    return results[0], results[1]
