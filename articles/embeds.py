"""Posts and videos from elsewhere inside a story: which services we take, and how.

An embed is stored as its provider and the post's id (``<figure class="embed"
data-provider="youtube" data-id="…">``), never as the service's HTML: the sanitiser stays strict,
and the page decides how to show it. Readers get a placeholder naming the service, with the link;
the service's frame loads only when they ask for it (``static/newsroom/embeds.js``), and the page's
Content Security Policy then allows frames from that service only (``frame_sources``).

An editor pastes the address of the post as they see it in their browser; ``parse`` finds the
provider and id, or says which services we take.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Provider:
    slug: str
    name: str
    # What the reader is shown: "video", "post"...
    kind: str
    # The hosts an address may be on (exactly these; "www." and "m." variants are listed).
    hosts: frozenset
    # The stored id, whole.
    id_pattern: re.Pattern
    # The post's own page, and the address of the frame that shows it.
    page: str
    frame: str
    # The frame's origin, for the page's Content Security Policy.
    frame_origin: str

    def page_url(self, post_id: str) -> str:
        return self.page.format(**_fields(post_id))

    def frame_url(self, post_id: str) -> str:
        return self.frame.format(**_fields(post_id))

    def describe(self) -> str:
        """ "a YouTube video", "an Instagram post"."""
        article = "an" if self.name[0] in "AEIOU" else "a"
        return f"{article} {self.name} {self.kind}"


def _fields(post_id: str) -> dict:
    """The parts of an id: Bluesky's is the author's handle (or DID) and the post's key."""
    actor, _, rkey = post_id.partition("/")
    return {"id": post_id, "actor": actor, "rkey": rkey}


_HANDLE = (
    r"(?:did:(?:plc|web):[a-z0-9.:-]{1,200}|[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,63})"
)

PROVIDERS = {
    provider.slug: provider
    for provider in (
        Provider(
            slug="youtube",
            name="YouTube",
            kind="video",
            hosts=frozenset(
                {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"}
                | {"youtube-nocookie.com", "www.youtube-nocookie.com"}
            ),
            id_pattern=re.compile(r"[A-Za-z0-9_-]{11}"),
            page="https://www.youtube.com/watch?v={id}",
            frame="https://www.youtube-nocookie.com/embed/{id}",
            frame_origin="https://www.youtube-nocookie.com",
        ),
        Provider(
            slug="vimeo",
            name="Vimeo",
            kind="video",
            hosts=frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"}),
            id_pattern=re.compile(r"[0-9]{1,12}"),
            page="https://vimeo.com/{id}",
            frame="https://player.vimeo.com/video/{id}?dnt=1",
            frame_origin="https://player.vimeo.com",
        ),
        Provider(
            slug="x",
            name="X",
            kind="post",
            hosts=frozenset(
                {"x.com", "www.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"}
            ),
            id_pattern=re.compile(r"[0-9]{1,25}"),
            page="https://x.com/i/status/{id}",
            frame="https://platform.twitter.com/embed/Tweet.html?id={id}&dnt=true",
            frame_origin="https://platform.twitter.com",
        ),
        Provider(
            slug="bluesky",
            name="Bluesky",
            kind="post",
            hosts=frozenset({"bsky.app", "www.bsky.app"}),
            # The author's handle or DID, then the post's key.
            id_pattern=re.compile(_HANDLE + r"/[A-Za-z0-9]{1,32}"),
            page="https://bsky.app/profile/{actor}/post/{rkey}",
            frame="https://embed.bsky.app/embed/{actor}/app.bsky.feed.post/{rkey}",
            frame_origin="https://embed.bsky.app",
        ),
        Provider(
            slug="instagram",
            name="Instagram",
            kind="post",
            hosts=frozenset({"instagram.com", "www.instagram.com"}),
            id_pattern=re.compile(r"[A-Za-z0-9_-]{5,40}"),
            page="https://www.instagram.com/p/{id}/",
            frame="https://www.instagram.com/p/{id}/embed/",
            frame_origin="https://www.instagram.com",
        ),
    )
}

NAMES = ", ".join(p.name for p in list(PROVIDERS.values())[:-1]) + (
    f" and {list(PROVIDERS.values())[-1].name}"
)
REFUSED = (
    f"We can embed posts and videos from {NAMES} only; paste the address of one post or video."
)

# The path of a post, by host family; the first group is the id (Bluesky's is actor/key).
_PATHS = {
    "youtube": [
        re.compile(r"/(?:embed|shorts|live|v)/([^/?#]+)/?"),
    ],
    "vimeo": [
        re.compile(r"/(?:video/)?([0-9]+)/?"),
        re.compile(r"/channels/[^/]+/([0-9]+)/?"),
        re.compile(r"/groups/[^/]+/videos/([0-9]+)/?"),
    ],
    "x": [re.compile(r"/(?:[A-Za-z0-9_]{1,15}|i(?:/web)?)/status(?:es)?/([0-9]+)(?:/.*)?")],
    "bluesky": [re.compile(r"/profile/([^/]+/)post/([^/?#]+)/?")],
    "instagram": [re.compile(r"/(?:[A-Za-z0-9_.]+/)?(?:p|reel|reels|tv)/([^/?#]+)/?")],
}


def parse(address: str) -> tuple[Provider, str]:
    """The provider and id of the post or video at ``address``; ValidationError naming the
    services we take for anything else (another host, a profile page, a search)."""
    address = (address or "").strip()
    try:
        parts = urlsplit(address if "//" in address else f"https://{address}")
        host = (parts.hostname or "").lower()
    except ValueError:
        raise ValidationError(REFUSED, code="embed") from None
    if parts.scheme not in ("http", "https"):
        raise ValidationError(REFUSED, code="embed")
    provider = next((p for p in PROVIDERS.values() if host in p.hosts), None)
    if provider is None:
        raise ValidationError(REFUSED, code="embed")
    post_id = _post_id(provider, host, parts.path, parts.query)
    if not post_id or not valid(provider.slug, post_id):
        raise ValidationError(
            f"That {provider.name} address is not the address of one {provider.kind}: open the "
            f"{provider.kind} on {provider.name} and paste the address your browser shows.",
            code="embed",
        )
    return provider, post_id


def _post_id(provider: Provider, host: str, path: str, query: str) -> str:
    if provider.slug == "youtube":
        if host == "youtu.be":
            return path.strip("/")
        if path.rstrip("/") == "/watch":
            return (parse_qs(query).get("v") or [""])[0]
    for pattern in _PATHS[provider.slug]:
        if found := pattern.fullmatch(path):
            return "".join(found.groups())
    return ""


def valid(provider: str, post_id: str) -> bool:
    """Whether ``post_id`` is a well-formed id for ``provider`` (a stored embed is checked again
    on the way out: only what this says yes to reaches a page)."""
    known = PROVIDERS.get(provider)
    return bool(known and known.id_pattern.fullmatch(post_id or ""))


def frame_sources(providers) -> list[str]:
    """The origins a page showing embeds of ``providers`` must allow frames from."""
    return sorted({PROVIDERS[slug].frame_origin for slug in providers if slug in PROVIDERS})
