"""Story previews: staff previews, signed preview links and the admin's share link."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.preview import (
    PreviewLinkError,
    PreviewLinkExpired,
    PreviewLinkInvalid,
    make_token,
    read_token,
    signed_preview_path,
)
from tests.factories import ArticleFactory, BylineFactory, UserFactory

pytestmark = pytest.mark.django_db

BANNER = 'role="status" class="preview-banner"'
START = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
MAX_AGE = 48 * 3600


@pytest.fixture
def draft():
    article = ArticleFactory(
        headline="Ferry fares to rise in spring",
        standfirst="Operators cite fuel costs.",
        body="<p>Fares on the harbour ferry will rise by a tenth.</p>",
        status=Article.Status.DRAFT,
        published_at=None,
    )
    BylineFactory(article=article)
    return article


def cache_directives(response):
    return {part.strip().split("=")[0] for part in response["Cache-Control"].split(",")}


def assert_preview_headers(response):
    assert {"private", "no-store"} <= cache_directives(response)
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def token_of(path):
    return path.removeprefix("/preview/").removesuffix("/")


# Staff preview --------------------------------------------------------------------------------


def test_staff_preview_of_a_draft(admin_client, draft):
    response = admin_client.get(reverse("articles:preview", kwargs={"pk": draft.pk}))

    assert response.status_code == 200
    assert "articles/article_detail.html" in [t.name for t in response.templates]
    assert response.context["is_preview"] is True
    page = response.content.decode()
    assert BANNER in page
    assert "Preview — not published" in page
    assert "Status: Draft" in page
    assert "<h1>Ferry fares to rise in spring</h1>" in page
    assert "Operators cite fuel costs." in page
    assert "<p>Fares on the harbour ferry will rise by a tenth.</p>" in page
    assert_preview_headers(response)


def test_staff_preview_renders_the_story_as_readers_see_it(admin_client, client):
    article = ArticleFactory()
    BylineFactory(article=article)
    public = client.get(article.get_absolute_url()).content.decode()

    response = admin_client.get(reverse("articles:preview", kwargs={"pk": article.pk}))

    assert response.status_code == 200
    preview = response.content.decode()
    assert "Preview — this story is published" in preview

    def story(page):
        return re.search(r"<article class=\"story\">.*</article>", page, re.S).group(0)

    assert story(preview) == story(public)
    # The public page carries no preview marks.
    assert BANNER not in public
    assert 'content="noindex"' not in public


def test_staff_preview_shows_a_scheduled_story_as_scheduled(admin_client):
    article = ArticleFactory(published_at=timezone.now() + dt.timedelta(days=1))

    response = admin_client.get(reverse("articles:preview", kwargs={"pk": article.pk}))

    assert response.status_code == 200
    assert "Preview — not published" in response.content.decode()
    assert "Status: Scheduled for" in response.content.decode()


def test_staff_preview_of_a_missing_story_is_not_found(admin_client):
    assert admin_client.get(reverse("articles:preview", kwargs={"pk": 999999})).status_code == 404


def test_anonymous_reader_is_sent_to_the_login_page(client, draft):
    url = reverse("articles:preview", kwargs={"pk": draft.pk})

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert "next=" in response["Location"]
    assert BANNER not in response.content.decode()


def test_logged_in_non_staff_user_is_refused(client, draft):
    client.force_login(UserFactory(is_staff=False))

    response = client.get(reverse("articles:preview", kwargs={"pk": draft.pk}))

    assert response.status_code == 403
    assert draft.headline not in response.content.decode()


def test_staff_without_permission_on_stories_is_refused(client, draft):
    client.force_login(UserFactory())

    assert client.get(reverse("articles:preview", kwargs={"pk": draft.pk})).status_code == 403


def test_preview_follows_the_admins_rules(client, draft):
    """Staff preview what the admin lets them open: an editor any story; a bare view permission,
    with no role, opens no unpublished story."""
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(user)
    assert client.get(reverse("articles:preview", kwargs={"pk": draft.pk})).status_code == 404

    user.user_permissions.add(Permission.objects.get(codename="edit_any_article"))
    user = type(user).objects.get(pk=user.pk)  # forget the cached permissions
    client.force_login(user)
    assert client.get(reverse("articles:preview", kwargs={"pk": draft.pk})).status_code == 200


# Signed links ---------------------------------------------------------------------------------


def test_signed_link_opens_the_draft_for_an_anonymous_reader(client, draft):
    with time_machine.travel(START, tick=False):
        response = client.get(signed_preview_path(draft))

    assert response.status_code == 200
    page = response.content.decode()
    assert BANNER in page
    assert "<h1>Ferry fares to rise in spring</h1>" in page
    assert "<p>Fares on the harbour ferry will rise by a tenth.</p>" in page
    assert "This preview link expires" in page
    assert response.context["preview_expires_at"] == START + dt.timedelta(hours=48)
    assert_preview_headers(response)


def test_signed_link_works_until_its_last_second(client, draft):
    with time_machine.travel(START, tick=False) as traveller:
        path = signed_preview_path(draft)
        traveller.move_to(START + dt.timedelta(seconds=MAX_AGE))

        assert client.get(path).status_code == 200


def test_expired_signed_link_is_gone(client, draft):
    with time_machine.travel(START, tick=False) as traveller:
        path = signed_preview_path(draft)
        traveller.move_to(START + dt.timedelta(seconds=MAX_AGE + 1))

        response = client.get(path)

    assert response.status_code == 410
    page = response.content.decode()
    assert "expired" in page
    assert "fresh link" in page
    assert draft.headline not in page
    assert_preview_headers(response)


@override_settings(PREVIEW_LINK_MAX_AGE=60)
def test_link_lifetime_comes_from_settings(client, draft):
    with time_machine.travel(START, tick=False) as traveller:
        path = signed_preview_path(draft)
        traveller.move_to(START + dt.timedelta(seconds=61))

        assert client.get(path).status_code == 410


@pytest.mark.parametrize("position", [0, 8, -30, -1])
def test_tampered_signed_link_is_not_found(client, draft, position):
    path = signed_preview_path(draft)
    token = token_of(path)
    index = position % len(token)
    changed = "A" if token[index] != "A" else "B"
    tampered = token[:index] + changed + token[index + 1 :]

    response = client.get(reverse("articles:preview_signed", kwargs={"token": tampered}))

    assert response.status_code == 404


def test_link_for_another_story_cannot_be_forged(client, draft):
    other = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    token = token_of(signed_preview_path(draft))
    forged = token.replace(f"{draft.pk}.", f"{other.pk}.", 1)

    assert client.get(f"/preview/{forged}/").status_code == 404


def test_garbage_token_is_not_found(client):
    assert client.get("/preview/not-a-token/").status_code == 404


def test_signed_link_stops_working_when_the_body_is_edited(client, draft):
    path = signed_preview_path(draft)
    draft.body = "<p>Fares on the harbour ferry will rise by a fifth.</p>"
    draft.save()

    assert client.get(path).status_code == 404


@pytest.mark.parametrize("field", ["headline", "standfirst"])
def test_signed_link_stops_working_when_the_headline_or_standfirst_is_edited(client, draft, field):
    path = signed_preview_path(draft)
    setattr(draft, field, getattr(draft, field) + " (updated)")
    draft.save()

    assert client.get(path).status_code == 404


def test_signed_link_stops_working_at_the_next_save_of_any_field(client, draft):
    path = signed_preview_path(draft)
    draft.tags.add("Transport", "Harbour")
    assert client.get(path).status_code == 200  # tags alone do not save the story

    draft.status = Article.Status.REVIEW
    draft.dateline = "Hong Kong"
    draft.save()

    assert client.get(path).status_code == 404
    assert client.get(signed_preview_path(draft)).status_code == 200


def test_signed_link_does_not_come_back_when_the_text_is_changed_back(client, draft):
    path = signed_preview_path(draft)
    original = draft.body
    draft.body = "<p>A sentence the editor took out again.</p>"
    draft.save()
    draft.body = original
    draft.save()

    assert client.get(path).status_code == 404


@pytest.mark.parametrize("kind", ["published", "scheduled", "withdrawn"])
def test_signed_link_dies_at_publication_and_stays_dead(client, draft, kind):
    path = signed_preview_path(draft)
    draft.status = Article.Status.WITHDRAWN if kind == "withdrawn" else Article.Status.PUBLISHED
    if kind == "scheduled":
        draft.published_at = timezone.now() + dt.timedelta(days=1)
    draft.save()
    draft.refresh_from_db()
    token_path_after = signed_preview_path(draft)  # a link made now is no good either

    response = client.get(path)
    if kind == "published":
        # The holder of the old link is sent to the story readers now see.
        assert response.status_code == 302
        assert response["Location"] == draft.get_absolute_url()
    else:
        assert response.status_code == 404
    assert client.get(token_path_after).status_code in (302, 404)

    draft.status = Article.Status.DRAFT
    draft.save()
    assert client.get(path).status_code == 404


def test_signed_link_for_a_deleted_story_is_not_found(client, draft):
    path = signed_preview_path(draft)
    draft.delete()

    assert client.get(path).status_code == 404


def test_a_preview_token_opens_its_story_or_raises_a_clear_error(draft):
    with time_machine.travel(START, tick=False) as traveller:
        token = make_token(draft)
        assert read_token(token).article == draft
        assert read_token(token, max_age=10).article == draft

        traveller.shift(11)
        with pytest.raises(PreviewLinkExpired):
            read_token(token, max_age=10)

    with pytest.raises(PreviewLinkInvalid):
        read_token(token + "x")
    # Callers that do not care why may catch the common base.
    with pytest.raises(PreviewLinkError):
        read_token("")


# Admin ----------------------------------------------------------------------------------------


def test_admin_change_form_offers_preview_and_a_working_share_link(admin_client, client, draft):
    response = admin_client.get(reverse("admin:articles_article_change", args=[draft.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    preview_path = reverse("articles:preview", kwargs={"pk": draft.pk})
    assert f'href="{preview_path}"' in page
    assert "Share preview link" in page
    match = re.search(r'id="preview-share-link"[^>]*value="([^"]+)"', page)
    assert match, "no share link in the change form"
    share_url = html.unescape(match.group(1))
    assert share_url.startswith("http://testserver/preview/")

    client.logout()
    shared = client.get(share_url)

    assert shared.status_code == 200
    assert "<h1>Ferry fares to rise in spring</h1>" in shared.content.decode()


def test_admin_change_form_of_a_published_story_has_no_share_link(admin_client):
    article = ArticleFactory()

    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("articles:preview", kwargs={"pk": article.pk}) in page
    assert "Share preview link" not in page


def test_reporter_cannot_preview_a_colleagues_draft(db, client, reporter_user, other_reporter_user):
    """Previews follow the admin's rules: a reporter sees only their own unpublished stories."""
    from tests.factories import BylineFactory

    theirs = ArticleFactory(status=Article.Status.DRAFT, published_at=None, headline="Not yours")
    BylineFactory(article=theirs, reporter=other_reporter_user.reporter)
    mine = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    BylineFactory(article=mine, reporter=reporter_user.reporter)
    client.force_login(reporter_user)
    assert client.get(f"/preview/stories/{theirs.pk}/").status_code == 404
    assert client.get(f"/preview/stories/{mine.pk}/").status_code == 200
