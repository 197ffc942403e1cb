"""The parts of the scale-out benchmark (``scale_out.py``) that run inside the site, each in a child
process started as ``manage.py shell -c "import scale_out_child; scale_out_child.<part>()"`` with
the case's environment (so exactly as an editor's shell session or a script would):

- ``pages()``: the public pages to read, found from the data, written as JSON to ``$SCALE_OUT_FILE``;
- ``editor()``: the editor, saving stories through the ORM as ``scale_out.py`` asks on stdin (one
  JSON line a save), each save answered on stdout once it has committed;
- ``queue()``: the background work in the database queue, counted by task and state, as JSON.
"""

import json
import os
import re
import sys
import time

# The mark a saved headline carries, unique to the save: ``Edit 17: <headline as seeded>``.
EDIT_MARK = re.compile(r"^Edit \d+: ")


def _write(data) -> None:
    with open(os.environ["SCALE_OUT_FILE"], "w") as out:
        json.dump(data, out)


def pages() -> None:
    """Every kind of public page, as {"path", "kind"}, ordered by how much readers are assumed to
    want it: the home page, then the newest stories two at a time between the other pages (the
    sections and site feed first, then tags, reporters, people and organisations by how many
    stories they have, their feeds, second and third list pages, the archive, sitemaps, the
    API). Also every published story's id, for the editor to choose from."""
    from django.db.models import Count, Q
    from django.urls import reverse
    from taggit.models import Tag

    from articles.models import Article, Section
    from people.models import Organization, Person, Reporter

    published = Article.objects.published()
    stories = [
        {"path": reverse("articles:article", kwargs={"slug": slug}), "kind": "story"}
        for slug in published.order_by("-published_at", "-id").values_list("slug", flat=True)
    ]

    def by_stories(model, relation):
        return list(
            model.objects.annotate(n=Count(relation, filter=Q(**{f"{relation}__in": published})))
            .filter(n__gt=0)
            .order_by("-n", "pk")
        )

    sections = list(Section.objects.order_by("pk"))
    tag_ids = (
        Article.tags.through.objects.filter(content_object__in=published)
        .values("tag_id")
        .annotate(n=Count("id"))
        .order_by("-n", "tag_id")
    )
    tags = list(Tag.objects.in_bulk([row["tag_id"] for row in tag_ids]).values())
    tags.sort(key=lambda tag: [row["tag_id"] for row in tag_ids].index(tag.pk))
    reporters = by_stories(Reporter, "bylines__article")
    people = by_stories(Person, "mentioned_in")
    organizations = by_stories(Organization, "mentioned_in")

    def kind(name, paths):
        return [{"path": path, "kind": name} for path in paths]

    def tag_url(tag):
        return reverse("articles:tag", kwargs={"slug": tag.slug})

    def feeds(name, rows):
        return [
            reverse(f"discovery:{name}_feed_{form}", kwargs={"slug": row.slug})
            for row in rows
            for form in ("rss", "atom")
        ]

    def day(d):
        return reverse(
            "articles:archive_day", args=[f"{d.year:04d}", f"{d.month:02d}", f"{d.day:02d}"]
        )

    def month(d):
        return reverse("articles:archive_month", args=[f"{d.year:04d}", f"{d.month:02d}"])

    lists = [reverse("fronts:home"), *(s.get_absolute_url() for s in sections)]
    lists += [tag_url(t) for t in tags[:10]]
    days = published.dates("published_at", "day", order="DESC")
    months = published.dates("published_at", "month", order="DESC")
    years = published.dates("published_at", "year", order="DESC")
    newest = published.order_by("-published_at", "-id").values_list("slug", flat=True)[:300]
    # Each group in its own order of interest, the groups taken in turn: every kind of page is
    # among the pages read, however many there are of the first kinds.
    groups = [
        kind("list", [s.get_absolute_url() for s in sections]),
        kind("feed", [reverse("discovery:feed_rss"), reverse("discovery:feed_atom")]),
        kind("archive", [reverse("articles:archive")])
        + kind("archive", [reverse("articles:archive_year", args=[f"{d.year:04d}"]) for d in years])
        + kind("archive", [month(d) for d in months]),
        kind("list", [tag_url(t) for t in tags]),
        kind("list", [r.get_absolute_url() for r in reporters]),
        kind("list", [p.get_absolute_url() for p in people]),
        kind("list", [o.get_absolute_url() for o in organizations]),
        kind("archive", [day(d) for d in days]),
        kind("list p.2-3", [f"{path}?page={n}" for n in (2, 3) for path in lists]),
        kind(
            "feed", feeds("section", sections) + feeds("tag", tags) + feeds("reporter", reporters)
        ),
        kind(
            "sitemap",
            [
                reverse("discovery:sitemap"),
                reverse("discovery:news_sitemap"),
                *(
                    reverse("discovery:sitemap_section", kwargs={"section": name})
                    for name in ("stories", "sections", "tags", "reporters")
                ),
            ],
        ),
        kind(
            "api", [reverse(f"api:{name}") for name in ("stories", "sections", "tags", "reporters")]
        )
        + kind("api", [reverse("api:story", kwargs={"slug": slug}) for slug in newest]),
    ]
    others = []
    iterators = [iter(group) for group in groups]
    while iterators:
        for iterator in list(iterators):
            item = next(iterator, None)
            if item is None:
                iterators.remove(iterator)
            else:
                others.append(item)

    ordered = [{"path": reverse("fronts:home"), "kind": "home"}]
    story_iter, other_iter = iter(stories), iter(others)
    while True:
        batch = [*_take(story_iter, 2), *_take(other_iter, 1)]
        if not batch:
            break
        ordered += batch
    _write(
        {
            "pages": ordered,
            "story_paths": {
                pk: reverse("articles:article", kwargs={"slug": slug})
                for pk, slug in published.values_list("pk", "slug")
            },
            "counts": {
                "stories (published)": len(stories),
                "sections": len(sections),
                "tags": len(tags),
                "reporters": len(reporters),
                "people": len(people),
                "organizations": len(organizations),
                "archive days": len(days),
            },
        }
    )


def _take(iterator, n):
    out = []
    for _ in range(n):
        item = next(iterator, None)
        if item is None:
            break
        out.append(item)
    return out


def editor() -> None:
    """Save the stories asked for on stdin, one a line (``{"id": 12, "n": 7}``), changing the
    headline to ``Edit 7: <headline as seeded>``; answer each on stdout once committed, with the
    headline before and after, the keys the save purged and the time it took. A plain ``save()`` in autocommit, as
    the admin's form does: the page cache's purge runs when it commits, before the answer."""
    from articles.models import Article
    from core import keys

    purged = []
    keys.after_purge(purged.extend)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        asked = json.loads(line)
        if asked.get("stop"):
            break
        started = time.monotonic()
        purged.clear()
        try:
            story = Article.objects.get(pk=asked["id"])
            old = story.headline
            new = f"Edit {asked['n']}: {EDIT_MARK.sub('', old)}"[:300]
            story.headline = new
            story.save()
            answer = {"id": story.pk, "old": old, "new": new, "purged": sorted(set(purged))}
        except Exception as error:  # noqa: BLE001 - reported by the benchmark, which goes on
            answer = {"id": asked["id"], "error": f"{type(error).__name__}: {error}"}
        answer["ms"] = (time.monotonic() - started) * 1000
        print(json.dumps(answer), flush=True)


def queue() -> None:
    """The queued background work, counted by task and state, and the last failures' errors."""
    from django.db.models import Case, CharField, Count, F, Value, When
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    # Work queued for later (a scheduled story's time) is not waiting for the worker.
    status = Case(
        When(status="READY", run_after__gt=timezone.now(), then=Value("READY LATER")),
        default=F("status"),
        output_field=CharField(),
    )
    rows = (
        DBTaskResult.objects.annotate(state=status)
        .values("task_path", "state")
        .annotate(n=Count("id"))
    )
    failures = DBTaskResult.objects.filter(status="FAILED").order_by("-finished_at")[:5]
    _write(
        {
            "counts": [[r["task_path"], r["state"], r["n"]] for r in rows],
            "failures": [
                {"task": f.task_path, "args": f.args_kwargs, "error": f.traceback[-600:]}
                for f in failures
            ],
        }
    )


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def imports() -> None:
    """What the task worker's process holds before any work: its resident memory after Python
    starts, after ``django.setup()`` and after the worker command is imported; and for each
    package (its first two names: ``redis.exceptions``, ``articles.admin``; three for
    ``django.contrib.admin``), how much the memory grew while it was first imported (with what it
    imports in turn, so a package is also counted in its importer's figure) and who imported
    it."""
    import builtins
    import collections
    import importlib

    grown, importer = {}, {}

    def measured(load, caller_of):
        def wrapper(name, *args, **kwargs):
            parts = name.split(".")
            top = ".".join(parts[:3] if parts[:2] == ["django", "contrib"] else parts[:2])
            relative = len(args) > 3 and args[3] or kwargs.get("level")
            if relative or not top or top in sys.modules or top in grown:
                return load(name, *args, **kwargs)
            grown[top] = None
            importer[top] = caller_of(args)
            before = _rss_mib()
            try:
                return load(name, *args, **kwargs)
            finally:
                grown[top] = _rss_mib() - before

        return wrapper

    def caller(args):
        namespace = args[0] if args and isinstance(args[0], dict) else {}
        return namespace.get("__name__", "?")

    builtins.__import__ = measured(builtins.__import__, caller)
    importlib.import_module = measured(importlib.import_module, lambda args: "django.setup()")
    steps = [("python started", _rss_mib())]
    import django

    steps.append(("import django", _rss_mib()))
    django.setup()
    steps.append(("django.setup() (settings, every installed app, models)", _rss_mib()))
    from django_tasks_db.management.commands import db_worker  # noqa: F401

    from newsroom.management.commands import worker  # noqa: F401

    steps.append(("the worker command imported", _rss_mib()))
    modules = collections.Counter(name.split(".")[0] for name in sys.modules)
    heaviest = sorted(
        ((top, mib, importer[top]) for top, mib in grown.items() if mib), key=lambda r: -r[1]
    )
    _write(
        {
            "steps": steps,
            "grown_by_package": heaviest[:20],
            "modules": len(sys.modules),
            "modules_by_package": modules.most_common(20),
        }
    )
