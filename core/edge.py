"""Purging the edge (Varnish in front of the app servers, or a hosted CDN) by surrogate key.

Every public page names what it shows (``Surrogate-Key`` and ``xkey`` headers, core/keys.py); when a
story, person or section changes, :func:`purge` tells every configured edge to drop exactly the
pages carrying those keys:

- **Varnish** (deploy/varnish/newsroom.vcl, with the xkey vmod): ``PURGE /`` with the header
  ``xkey-purge: k1 k2 ...`` to each address in ``EDGE_VARNISH_URLS``; the VCL accepts it only from
  its ACL and answers how many pages it dropped.
- **Fastly**: ``POST /service/<id>/purge`` with ``Surrogate-Key: k1 k2 ...`` and the API token
  (``EDGE_FASTLY_SERVICE_ID``, ``EDGE_FASTLY_API_TOKEN``), at most 256 keys a request (Fastly's
  limit).

A purge that any edge refuses, or that cannot reach it, raises :class:`EdgePurgeFailed` naming the
edge and its answer, after every edge has been tried; ``purge_task`` runs it in the background and
retries, so a Varnish restarting for a minute delays a correction's appearance but never loses it.
Purging the same keys twice is harmless, so a retry resends the whole set to every edge.

The standard library's urllib, with a timeout, is all this needs: no client library to install.
"""

import logging
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.checks import Error, Tags, register

from core.tasks import background

logger = logging.getLogger("newsroom.edge")

# Fastly's documented limit of keys in one purge request.
FASTLY_BATCH = 256
# Varnish refuses a request header longer than http_req_hdr_len (8 KiB by default): keys are sent
# in requests whose xkey-purge header stays well under that.
VARNISH_HEADER_CHARS = 4000


class EdgePurgeFailed(Exception):
    """An edge did not purge: unreachable, or it answered with an error."""


def edge_configured() -> bool:
    """Whether any edge is configured, so that purge tasks are worth enqueuing at all."""
    return bool(settings.EDGE_VARNISH_URLS or _fastly_configured())


def _fastly_configured() -> bool:
    return bool(settings.EDGE_FASTLY_SERVICE_ID and settings.EDGE_FASTLY_API_TOKEN)


def purge(keys: list[str]) -> None:
    """Drop every page carrying any of ``keys`` from every configured edge.

    Raises :class:`EdgePurgeFailed` if any edge did not purge (after trying all of them), so that
    the background task retries.
    """
    keys = list(dict.fromkeys(key for key in keys if key))
    if not keys:
        return
    failures = []
    for url in settings.EDGE_VARNISH_URLS:
        for batch in _batches_by_length(keys, VARNISH_HEADER_CHARS):
            try:
                _purge_varnish(url, batch)
            except EdgePurgeFailed as error:
                failures.append(str(error))
                break
    if _fastly_configured():
        for start in range(0, len(keys), FASTLY_BATCH):
            try:
                _purge_fastly(keys[start : start + FASTLY_BATCH])
            except EdgePurgeFailed as error:
                failures.append(str(error))
                break
    if failures:
        raise EdgePurgeFailed("; ".join(failures))


@background(retries=8)
def purge_task(keys: list[str]) -> None:
    """Refresh the edge's copies of changed pages (retried while an edge is down)."""
    # A function of its own rather than ``background(...)(purge)``: a task is found again by the
    # worker through its module path, which must name the task, not the plain function.
    purge(keys)


def _batches_by_length(keys: list[str], limit: int) -> Iterator[list[str]]:
    batch, length = [], 0
    for key in keys:
        if batch and length + 1 + len(key) > limit:
            yield batch
            batch, length = [], 0
        batch.append(key)
        length += len(key) + (1 if length else 0)
    if batch:
        yield batch


def _purge_varnish(url: str, keys: list[str]) -> None:
    target = url.rstrip("/") + "/"
    request = urllib.request.Request(target, method="PURGE", headers={"xkey-purge": " ".join(keys)})
    answer = _send(request, f"Varnish at {url}")
    logger.info("Varnish at %s purged %d keys: %s", url, len(keys), answer.strip()[:200])


def _purge_fastly(keys: list[str]) -> None:
    service = settings.EDGE_FASTLY_SERVICE_ID
    api = settings.EDGE_FASTLY_API_URL.rstrip("/")
    request = urllib.request.Request(
        f"{api}/service/{service}/purge",
        method="POST",
        headers={
            "Fastly-Key": settings.EDGE_FASTLY_API_TOKEN,
            "Surrogate-Key": " ".join(keys),
            "Accept": "application/json",
        },
    )
    _send(request, f"Fastly service {service} ({api})")
    logger.info("Fastly service %s purged %d keys", service, len(keys))


def _send(request: urllib.request.Request, edge: str) -> str:
    """The answer's body, or :class:`EdgePurgeFailed` saying which edge failed and how."""
    try:
        with urllib.request.urlopen(request, timeout=settings.EDGE_PURGE_TIMEOUT) as response:
            return response.read(4096).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        body = error.read(500).decode("utf-8", "replace").strip()
        detail = f": {body}" if body else ""
        raise EdgePurgeFailed(
            f"{edge} refused the purge with {error.code} {error.reason}{detail}"
        ) from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise EdgePurgeFailed(f"{edge} could not be reached: {reason}") from error


def setting_problems(
    varnish_urls: Iterable[str], fastly_service: str, fastly_token: str
) -> list[str]:
    problems = [
        f"EDGE_VARNISH_URLS has {url!r}, which is not an address like http://127.0.0.1:6081."
        for url in varnish_urls
        if not url.startswith(("http://", "https://"))
    ]
    if bool(fastly_service) != bool(fastly_token):
        problems.append(
            "Only one of EDGE_FASTLY_SERVICE_ID and EDGE_FASTLY_API_TOKEN is set: Fastly would "
            "never be purged, and readers would see changed stories late. Set both, or neither."
        )
    return problems


@register(Tags.caches, deploy=True)
def check_edge_settings(app_configs, **kwargs):
    return [
        Error(problem, id="core.E001")
        for problem in setting_problems(
            settings.EDGE_VARNISH_URLS,
            settings.EDGE_FASTLY_SERVICE_ID,
            settings.EDGE_FASTLY_API_TOKEN,
        )
    ]
