"""Story previews: staff see unpublished stories as readers will, and can share a signed link.

A signed link carries the story's id, the time it was last saved (which every save moves on) and
a short fingerprint of its text, signed with a timestamp. It opens the story exactly as it was saved when
the link was made, before publication, and nothing else: it stops working when it is older than
``settings.PREVIEW_LINK_MAX_AGE`` seconds (48 hours unless set), at the story's next save (of any
field: changing the text back does not bring an old link back), and once the story is published
or withdrawn, for good. The story form always offers a fresh link for the story as saved.

While a story is embargoed (``Article.embargo_until`` still to come) no link is shared: the form
makes none and says why, and a link made before answers with a page saying when the embargo
lifts. Staff's own preview (logged in) still shows the story.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core import signing
from django.db.models import Q
from django.http import Http404, HttpResponseForbidden, HttpResponseGone, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from .kill import can_kill
from .models import Article
from .services import editable_articles, embargo_holds, local_time
from .views import ArticleDetailView, story_gone, story_page_queryset

SALT = "newsroom.preview"
# A shared link previews a story on its way to readers; once published or withdrawn, it is dead.
PREVIEWABLE = (Article.Status.DRAFT, Article.Status.REVIEW)
DEFAULT_MAX_AGE = 48 * 3600
# Joins the text fields before hashing, so moving words between fields changes the fingerprint.
_TEXT_SEPARATOR = "\x1f"


class PreviewLinkError(Exception):
    """A preview link that cannot be used."""


class PreviewLinkInvalid(PreviewLinkError):
    """Not a link this site made, altered, for a story that is gone, saved again, published or
    withdrawn since."""


class PreviewLinkSuperseded(PreviewLinkInvalid):
    """A genuine link to a story that has since been published or withdrawn."""

    def __init__(self, message: str, article: Article):
        super().__init__(message)
        self.article = article


class PreviewLinkExpired(PreviewLinkError):
    """A genuine link that is older than the allowed age."""


class PreviewLinkEmbargoed(PreviewLinkError):
    """A link to a story whose embargo has not lifted: nobody outside sees it before then."""

    def __init__(self, message: str, embargo_until: dt.datetime):
        super().__init__(message)
        self.embargo_until = embargo_until


@dataclass(frozen=True)
class PreviewLink:
    article: Article
    issued_at: dt.datetime
    expires_at: dt.datetime


def max_age_seconds() -> int:
    """How long a signed link lasts, from ``settings.PREVIEW_LINK_MAX_AGE`` (seconds or a timedelta)."""
    value = getattr(settings, "PREVIEW_LINK_MAX_AGE", DEFAULT_MAX_AGE)
    if isinstance(value, dt.timedelta):
        value = value.total_seconds()
    return int(value)


def text_fingerprint(article: Article) -> str:
    """A short hash of what the reader reads: headline, standfirst and body."""
    text = _TEXT_SEPARATOR.join([article.headline, article.standfirst, article.body])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def saved_stamp(article: Article) -> str:
    """When the story was last saved, to the microsecond, as a short word."""
    saved = article.modified_at or article.created_at
    return signing.b62_encode(int(saved.timestamp() * 1_000_000)) if saved else "0"


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def make_token(article: Article) -> str:
    if article.pk is None:
        raise ValueError("An unsaved story has no preview link.")
    return _signer().sign(f"{article.pk}.{saved_stamp(article)}.{text_fingerprint(article)}")


def signed_preview_path(article: Article) -> str:
    """The absolute path of a fresh signed preview link for ``article``, as saved in memory."""
    return reverse("articles:preview_signed", kwargs={"token": make_token(article)})


def link_expires_at(issued_at: dt.datetime | None = None, *, max_age: int | None = None):
    """When a link issued at ``issued_at`` (default: now) stops working."""
    issued_at = issued_at or timezone.now()
    return issued_at + dt.timedelta(seconds=max_age_seconds() if max_age is None else max_age)


def read_token(token: str, *, max_age: int | None = None) -> PreviewLink:
    """Check a token and return the story it opens, with when the link was issued and expires.

    Raises PreviewLinkExpired for a genuine link past its age, PreviewLinkInvalid for anything else
    that cannot be used. The story is fetched with everything the story page shows.
    """
    if max_age is None:
        max_age = max_age_seconds()
    signer = _signer()
    try:
        value = signer.unsign(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise PreviewLinkExpired(str(exc)) from exc
    except signing.BadSignature as exc:
        raise PreviewLinkInvalid(str(exc)) from exc
    # The signature is good, so the token is "<pk>.<saved>.<fingerprint>:<timestamp>:<signature>".
    timestamp = token.rsplit(signer.sep, 2)[1]
    issued_at = dt.datetime.fromtimestamp(signing.b62_decode(timestamp), tz=dt.UTC)
    pk, _, rest = value.partition(".")
    saved, _, fingerprint = rest.partition(".")
    try:
        article = story_page_queryset(Article.objects.all()).get(pk=int(pk))
    except (ValueError, Article.DoesNotExist) as exc:
        raise PreviewLinkInvalid("No such story.") from exc
    if article.status not in PREVIEWABLE:
        raise PreviewLinkSuperseded("The story has been published or withdrawn since.", article)
    if embargo_holds(article):
        raise PreviewLinkEmbargoed("The story is embargoed.", article.embargo_until)
    if saved != saved_stamp(article) or fingerprint != text_fingerprint(article):
        raise PreviewLinkInvalid("The story has been saved again since the link was made.")
    return PreviewLink(
        article=article,
        issued_at=issued_at,
        expires_at=link_expires_at(issued_at, max_age=max_age),
    )


class PreviewMixin:
    """Renders the public story page, marked as a preview, never cached and never indexed."""

    extra_context = {"is_preview": True}
    conditional_get = False  # a preview is never answered with 304 (core/http.py)

    @method_decorator(never_cache)
    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response


class StaffPreviewView(PreviewMixin, PermissionRequiredMixin, ArticleDetailView):
    """/preview/stories/<pk>/: any story in any status, for staff who may see stories."""

    permission_required = "articles.view_article"
    login_url = reverse_lazy("admin:login")

    def has_permission(self):
        user = self.request.user
        # As the admin does: active staff, and either view or change permission on stories.
        return (
            user.is_active
            and user.is_staff
            and (user.has_perm("articles.view_article") or user.has_perm("articles.change_article"))
        )

    def get_queryset(self):
        # What the admin lets this user open (a reporter: their own unpublished stories; an
        # editor: everything), plus anything readers can already see.
        user = self.request.user
        editable = editable_articles(user).order_by().values("pk")
        public = Article.objects.published().order_by().values("pk")
        seen = Q(pk__in=editable) | Q(pk__in=public)
        # A story killed for legal reasons is seen by those who may kill stories, and nobody else.
        killed = Q(status=Article.Status.KILLED)
        seen = seen | killed if can_kill(user) else seen & ~killed
        return story_page_queryset(Article.objects.filter(seen))


# A bare page for a preview link that cannot be opened (no site frame: the reader has no
# account, and the story's section and navigation are none of their business yet).
NOTICE_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title} — {site_name}</title>
</head>
<body>
<main>
<h1>{heading}</h1>
{text}
</main>
</body>
</html>
"""


def notice_page(title: str, heading: str, text) -> str:
    """``NOTICE_PAGE`` filled in; ``text`` is HTML made with ``format_html``."""
    return format_html(
        NOTICE_PAGE, title=title, site_name=settings.SITE_NAME, heading=heading, text=text
    )


EXPIRED_TEXT = mark_safe(
    "<p>Preview links work for a limited time.</p>\n"
    "<p>Please ask the person who sent it to you for a fresh link.</p>"
)


class SignedPreviewView(PreviewMixin, ArticleDetailView):
    """/preview/<token>/: a story opened by a signed link, for anyone holding it."""

    def get(self, request, *args, **kwargs):
        try:
            self.link = read_token(kwargs["token"])
        except PreviewLinkExpired:
            return HttpResponseGone(
                notice_page("Preview link expired", "This preview link has expired", EXPIRED_TEXT)
            )
        except PreviewLinkEmbargoed as exc:
            text = format_html(
                "<p>Its preview cannot be opened before the embargo lifts, at\n"
                '<time datetime="{}">{}</time>.</p>\n'
                "<p>Please ask the person who sent you this link for a fresh one after that "
                "time.</p>",
                exc.embargo_until.isoformat(),
                local_time(exc.embargo_until),
            )
            return HttpResponseForbidden(
                notice_page("Story under embargo", "This story is under embargo", text)
            )
        except PreviewLinkSuperseded as exc:
            if exc.article.status == Article.Status.KILLED:
                # Killed for legal reasons (articles.kill): gone, like its public address.
                return story_gone(request)
            # Once readers can see the story, the link leads to it; the preview itself is dead.
            if Article.objects.published().filter(pk=exc.article.pk).exists():
                return HttpResponseRedirect(exc.article.get_absolute_url())
            raise Http404("This preview link is no longer valid.") from exc
        except PreviewLinkInvalid as exc:
            raise Http404("This preview link is not valid.") from exc
        return super().get(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return self.link.article

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview_expires_at=self.link.expires_at, **kwargs)
