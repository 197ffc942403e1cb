"""``manage.py export_content``: all content out with natural keys, and back in, exactly."""

import datetime as dt
import io
import json

import pytest
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image as PillowImage
from taggit.models import Tag

from articles.models import Article, Byline, Correction, Section, StatusChange, TaggedArticle
from people.models import Affiliation, Organization, Person, Reporter
from photos.models import Image
from tests.factories import (
    AffiliationFactory,
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    OrganizationFactory,
    PersonFactory,
    ReporterFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Every model the export carries, and so every one the round trip must reproduce.
CONTENT_MODELS = [
    Image,
    Section,
    Tag,
    Person,
    Organization,
    Affiliation,
    Reporter,
    Article,
    Byline,
    TaggedArticle,
    Correction,
]
ACCOUNT_FIELDS = {"created_by", "modified_by", "user", "uploaded_by"}


def png(colour="red") -> ContentFile:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (8, 6), colour).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name=f"{colour}.png")


def make_image(colour, **fields) -> Image:
    image = Image(alt_text=f"A {colour} square", **fields)
    image.file.save(f"{colour}.png", png(colour), save=False)
    image.save()
    return image


@pytest.fixture
def newsroom(seed):
    """The seed story and a second newsroom's worth of everything the export must carry."""
    editor = UserFactory(username="desk")
    photo = make_image("red", caption="Xu Li at the forum.", credit="Li Wei / Xinhua")
    lead = make_image("blue", focal_x=0.25, focal_y=0.75, copyright_notice="© Newsroom")
    business = SectionFactory(name="Business", slug="business", order=2, description="Money.")

    # A child organization with a lower id than its parent: the export has a forward reference.
    institute = OrganizationFactory(name="Institute of Things", slug="institute-of-things")
    university = OrganizationFactory(
        name="University of Stuff", slug="university-of-stuff", short_name="UoS", kind="university"
    )
    institute.parent = university
    institute.save()
    xu_li = Person.objects.get(slug="xu-li")
    xu_li.photo, xu_li.native_name, xu_li.aliases = photo, "徐立", "Li Xu\nDr Xu"
    xu_li.save()
    scholar = PersonFactory(name="Wang Fang", slug="wang-fang", description="A scholar.")
    AffiliationFactory(
        person=scholar,
        organization=institute,
        title="director",
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2024, 6, 30),
        order=1,
    )

    reporters = [
        ReporterFactory(
            name="Public Reporter",
            slug="public-reporter",
            show_email=True,
            photo=photo,
            user=editor,
        ),
        ReporterFactory(name="Second Reporter", slug="second-reporter", job_title="Correspondent"),
        Reporter.objects.get(slug="chang-zhipeng"),
    ]
    story = ArticleFactory(
        headline="Business story with everything",
        slug="business-story",
        section=business,
        lead_image=lead,
        created_by=editor,
        modified_by=editor,
        wire_hash="f" * 64,
        needs_headline=True,
        body="<p>Wang Fang and Xu Li — “quoted” — at the institute.</p>",
        published_at=timezone.now().replace(microsecond=123456) - dt.timedelta(days=2),
        updated_at=timezone.now().replace(microsecond=654321),
    )
    # Byline order is not the order they were added in.
    for order, reporter in zip([2, 0, 1], reporters, strict=True):
        BylineFactory(article=story, reporter=reporter, order=order)
    story.tags.add("Business", "Qianhai", "深圳")
    story.mentioned_people.add(scholar)
    story.mentioned_organizations.add(institute, university)
    story.unlinked_people.add(xu_li)
    story.unlinked_organizations.add(Organization.objects.get(slug="sensetime"))
    CorrectionFactory(article=story, created_at=timezone.now().replace(microsecond=111111))
    CorrectionFactory(
        article=story,
        kind=Correction.Kind.UPDATE,
        text="Added the institute's response.",
        created_at=timezone.now().replace(microsecond=222222) + dt.timedelta(seconds=1),
    )
    ArticleFactory(
        headline="A draft", slug="a-draft", section=business, status="draft", published_at=None
    )
    return story


def snapshot() -> dict[str, list[str]]:
    """Every content row, by natural key, with every field and relation, as comparable text."""
    state = {}
    for model in CONTENT_MODELS:
        rows = serializers.serialize(
            "python",
            model._default_manager.all(),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        )
        texts = []
        for row in rows:
            fields = {k: v for k, v in row["fields"].items() if k not in ACCOUNT_FIELDS}
            for name, value in fields.items():
                if isinstance(value, list):
                    fields[name] = sorted(json.dumps(item, ensure_ascii=False) for item in value)
            texts.append(json.dumps([row.get("pk"), fields], default=str, ensure_ascii=False))
        state[model._meta.label] = sorted(texts)
    return state


def empty_the_database():
    Article.objects.all().delete()
    StatusChange.objects.all().delete()
    Affiliation.objects.all().delete()
    Reporter.objects.all().delete()
    Person.objects.all().delete()
    Organization.objects.filter(parent__isnull=False).delete()
    Organization.objects.all().delete()
    Tag.objects.all().delete()
    Section.objects.all().delete()
    Image.objects.all().delete()


def export(path) -> str:
    out = io.StringIO()
    call_command("export_content", str(path), stdout=out)
    return out.getvalue()


def test_the_export_loads_into_an_empty_database_exactly(newsroom, tmp_path):
    path = tmp_path / "export.json"
    before = snapshot()
    assert all(before.values())

    export(path)
    empty_the_database()
    assert not any(snapshot().values())
    call_command("loaddata", str(path), verbosity=0)

    after = snapshot()
    for model in CONTENT_MODELS:
        assert after[model._meta.label] == before[model._meta.label], model._meta.label


def test_relations_come_back_with_their_order_times_and_mentions(newsroom, tmp_path):
    path = tmp_path / "export.json"
    export(path)
    empty_the_database()
    call_command("loaddata", str(path), verbosity=0)

    story = Article.objects.get(slug="business-story")
    assert [b.reporter.slug for b in story.bylines.order_by("order")] == [
        "second-reporter",
        "chang-zhipeng",
        "public-reporter",
    ]
    assert [c.created_at.microsecond for c in story.corrections.order_by("created_at")] == [
        111111,
        222222,
    ]
    assert story.published_at.microsecond == 123456
    assert sorted(story.tags.names()) == ["Business", "Qianhai", "深圳"]
    assert list(story.unlinked_people.values_list("slug", flat=True)) == ["xu-li"]
    assert story.lead_image.focal_x == 0.25
    assert story.lead_image.file.name.endswith(".png")
    assert Organization.objects.get(slug="institute-of-things").parent.slug == "university-of-stuff"
    assert Person.objects.get(slug="xu-li").photo.caption == "Xu Li at the forum."
    assert Article.objects.get(slug="qianhai-forum-draws-1200-representatives").is_public


def test_the_export_uses_natural_keys_and_leaves_out_login_accounts(newsroom, tmp_path):
    path = tmp_path / "export.json"
    export(path)
    objects = json.loads(path.read_text(encoding="utf-8"))

    models = {obj["model"] for obj in objects}
    assert "auth.user" not in models
    for obj in objects:
        if obj["model"] != "photos.image":
            assert "pk" not in obj, obj  # natural keys, so it loads into a site with other rows
        for name in ACCOUNT_FIELDS & obj["fields"].keys():
            assert obj["fields"][name] is None
    story = next(
        o
        for o in objects
        if o["model"] == "articles.article" and o["fields"]["slug"] == "business-story"
    )
    assert story["fields"]["section"] == ["business"]
    assert ["wang-fang"] in story["fields"]["mentioned_people"]
    byline = next(o for o in objects if o["model"] == "articles.byline")
    assert byline["fields"]["article"] == ["qianhai-forum-draws-1200-representatives"]
    assert "深圳" in path.read_text(encoding="utf-8")  # written as characters, not escapes


def test_the_export_reports_progress_and_a_summary_in_newsroom_words(newsroom, tmp_path):
    output = export(tmp_path / "export.json")

    assert "stories: 3" in output
    assert "bylines: 4" in output
    assert (
        output.strip().splitlines()[-1].startswith("Exported 3 stories, 4 bylines, 2 corrections")
    )
    assert "and 2 images to" in output


def test_the_export_can_go_to_standard_output(seed, capsys):
    err = io.StringIO()
    call_command("export_content", "-", stderr=err)

    objects = json.loads(capsys.readouterr().out)
    assert {"articles.article", "people.person", "taggit.tag"} <= {o["model"] for o in objects}
    assert "Exported 1 story, 1 byline" in err.getvalue()


def test_the_seed_fixture_round_trips_too(seed, tmp_path):
    path = tmp_path / "seed.json"
    before = snapshot()
    export(path)
    empty_the_database()
    call_command("loaddata", str(path), verbosity=0)
    assert snapshot() == before
