"""Purging the edge by key (core/edge.py), against fakes of Varnish and of Fastly's purge API
served on 127.0.0.1: what is sent, to whom, in what batches, and what a refusal says."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.checks import run_checks

from core.edge import (
    FASTLY_BATCH,
    VARNISH_HEADER_CHARS,
    EdgePurgeFailed,
    edge_configured,
    purge,
    purge_task,
    setting_problems,
)

TOKEN = "fastly-token-not-a-real-one"


class FakeEdge:
    """An HTTP server on a free port of 127.0.0.1 that records every request and answers each
    with ``status`` and ``body``."""

    def __init__(self):
        self.requests = []
        self.status, self.body = 200, b"Purged 1 objects"
        edge = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                edge.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": self.headers,
                        "body": self.rfile.read(length),
                    }
                )
                self.send_response(edge.status)
                self.send_header("Content-Length", str(len(edge.body)))
                self.end_headers()
                self.wfile.write(edge.body)

            do_PURGE = do_POST = do_GET = answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # A short poll, so that shutting the server down at the end of a test is quick.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def keys_sent(self, header):
        return [key for request in self.requests for key in request["headers"][header].split()]


@pytest.fixture
def edges():
    made = []

    def make():
        made.append(FakeEdge())
        return made[-1]

    yield make
    for edge in made:
        edge.close()


@pytest.fixture
def varnish(edges, settings):
    edge = edges()
    settings.EDGE_VARNISH_URLS = [edge.url]
    return edge


@pytest.fixture
def fastly(edges, settings):
    edge = edges()
    edge.body = b'{"status": "ok"}'
    settings.EDGE_VARNISH_URLS = []
    settings.EDGE_FASTLY_SERVICE_ID = "SERVICE1"
    settings.EDGE_FASTLY_API_TOKEN = TOKEN
    settings.EDGE_FASTLY_API_URL = edge.url + "/"
    return edge


def test_varnish_gets_one_purge_with_every_key_in_the_xkey_purge_header(varnish):
    purge(["story:12", "section:3:list", "front:home"])

    [request] = varnish.requests
    assert request["method"] == "PURGE"
    assert request["path"] == "/"
    assert request["headers"]["xkey-purge"] == "story:12 section:3:list front:home"


def test_every_varnish_is_purged(edges, settings):
    first, second = edges(), edges()
    settings.EDGE_VARNISH_URLS = [first.url, second.url + "/"]

    purge(["story:12"])

    assert first.keys_sent("xkey-purge") == second.keys_sent("xkey-purge") == ["story:12"]


def test_a_key_named_twice_is_sent_once_and_no_keys_send_nothing(varnish):
    purge(["story:12", "story:12", "", "tag:5"])
    purge([])

    assert varnish.keys_sent("xkey-purge") == ["story:12", "tag:5"]


def test_many_keys_go_to_varnish_in_headers_it_accepts(varnish):
    keys = [f"story:{n}" for n in range(100_000, 101_000)]

    purge(keys)

    assert len(varnish.requests) > 1
    assert all(
        len(request["headers"]["xkey-purge"]) <= VARNISH_HEADER_CHARS
        for request in varnish.requests
    )
    assert varnish.keys_sent("xkey-purge") == keys


def test_fastly_gets_a_surrogate_key_purge_for_the_service_with_the_token(fastly):
    purge(["story:12", "front:home"])

    [request] = fastly.requests
    assert request["method"] == "POST"
    assert request["path"] == "/service/SERVICE1/purge"
    assert request["headers"]["Surrogate-Key"] == "story:12 front:home"
    assert request["headers"]["Fastly-Key"] == TOKEN


def test_fastly_gets_at_most_256_keys_a_request(fastly):
    keys = [f"story:{n}" for n in range(600)]

    purge(keys)

    sizes = [len(request["headers"]["Surrogate-Key"].split()) for request in fastly.requests]
    assert sizes == [FASTLY_BATCH, FASTLY_BATCH, 600 - 2 * FASTLY_BATCH]
    assert fastly.keys_sent("Surrogate-Key") == keys


def test_varnish_and_fastly_are_both_purged(fastly, edges, settings):
    varnish = edges()
    settings.EDGE_VARNISH_URLS = [varnish.url]

    purge(["story:12"])

    assert varnish.keys_sent("xkey-purge") == fastly.keys_sent("Surrogate-Key") == ["story:12"]


def test_a_varnish_refusing_says_which_and_why_after_the_others_are_purged(edges, settings):
    refusing, working = edges(), edges()
    refusing.status, refusing.body = 405, b"This address may not purge"
    settings.EDGE_VARNISH_URLS = [refusing.url, working.url]

    with pytest.raises(EdgePurgeFailed) as failure:
        purge(["story:12"])

    message = str(failure.value)
    assert f"Varnish at {refusing.url} refused the purge with 405" in message
    assert "This address may not purge" in message
    assert working.url not in message
    assert working.keys_sent("xkey-purge") == ["story:12"]


def test_fastly_refusing_says_so_without_giving_the_token_away(fastly):
    fastly.status, fastly.body = 401, b'{"msg": "Provided credentials are missing or invalid"}'

    with pytest.raises(EdgePurgeFailed) as failure:
        purge(["story:12"])

    message = str(failure.value)
    assert "Fastly service SERVICE1" in message
    assert "refused the purge with 401" in message
    assert "credentials are missing or invalid" in message
    assert TOKEN not in message


def test_an_edge_that_is_not_listening_is_named(settings):
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{spare.getsockname()[1]}"
    settings.EDGE_VARNISH_URLS = [url]

    with pytest.raises(EdgePurgeFailed, match=f"Varnish at {url} could not be reached"):
        purge(["story:12"])


def test_an_edge_that_never_answers_fails_after_the_timeout(settings):
    # Listening, so the connection is made, but never accepted or answered.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        settings.EDGE_VARNISH_URLS = [url]
        settings.EDGE_PURGE_TIMEOUT = 0.2

        with pytest.raises(EdgePurgeFailed, match=f"Varnish at {url} could not be reached"):
            purge(["story:12"])


def test_the_purge_task_purges(varnish):
    purge_task.enqueue(["story:12", "front:home"])

    assert varnish.keys_sent("xkey-purge") == ["story:12", "front:home"]


def test_an_edge_is_configured_by_a_varnish_address_or_a_whole_fastly_setting(settings):
    settings.EDGE_VARNISH_URLS = []
    settings.EDGE_FASTLY_SERVICE_ID = settings.EDGE_FASTLY_API_TOKEN = ""
    assert not edge_configured()

    settings.EDGE_FASTLY_SERVICE_ID = "SERVICE1"
    assert not edge_configured()
    settings.EDGE_FASTLY_API_TOKEN = TOKEN
    assert edge_configured()

    settings.EDGE_FASTLY_SERVICE_ID = settings.EDGE_FASTLY_API_TOKEN = ""
    settings.EDGE_VARNISH_URLS = ["http://127.0.0.1:6081"]
    assert edge_configured()


def test_half_a_fastly_setting_or_a_bad_varnish_address_is_a_deploy_error(settings):
    assert setting_problems(["http://127.0.0.1:6081"], "", "") == []
    assert setting_problems(["http://127.0.0.1:6081"], "SERVICE1", TOKEN) == []
    [bad_address] = setting_problems(["127.0.0.1:6081"], "", "")
    assert "EDGE_VARNISH_URLS" in bad_address
    [half] = setting_problems([], "SERVICE1", "")
    assert "EDGE_FASTLY_API_TOKEN" in half

    settings.EDGE_FASTLY_SERVICE_ID, settings.EDGE_FASTLY_API_TOKEN = "SERVICE1", ""
    assert "core.E001" in {message.id for message in run_checks(include_deployment_checks=True)}
