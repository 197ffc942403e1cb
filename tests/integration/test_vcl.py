"""What deploy/varnish/newsroom.vcl does, request by request, with varnishtest: Varnish's own test
tool runs the shipped configuration against a scripted app server, so each answer the app gives
(a kept page, an error, no answer at all) and what readers then get is spelled out below.

The configuration is used as shipped except for the app servers' address (the scripted one) and
their health probe (taken out: a probe would eat the script's requests; health is set by hand).
Skipped, with the reason, when varnishtest or the xkey module is missing (a failure with
``EDGE_REQUIRED=1``, as in ``.ci/run``).
"""

import re
import shutil
import subprocess

from .servers import VCL, unavailable

KEPT = "Surrogate-Control: max-age=86400, stale-while-revalidate=30, stale-if-error=604800"
# Kept a second (the test waits for it to pass: Varnish has no clock to move on).
STALE_IF_ERROR = "Surrogate-Control: max-age=1, stale-if-error=60"
STALE_WHILE_REVALIDATE = "Surrogate-Control: max-age=1, stale-while-revalidate=60"

SCRIPT = r"""
varnishtest "deploy/varnish/newsroom.vcl"

# Readers' pages kept by the app's Surrogate-Control; everything else goes to the app.
server s1 {
    rxreq
    expect req.url == "/stories/a/"
    expect req.http.Cookie == <undef>
    txresp -hdr "KEPT" -hdr "xkey: story:1 front:home" -hdr "Surrogate-Key: story:1 front:home" \
        -hdr "Cache-Control: no-cache" -body "story a"
    rxreq
    expect req.url == "/stories/b/"
    txresp -hdr "KEPT" -hdr "xkey: story:2" -body "story b"
    rxreq
    expect req.url == "/stories/a/"
    expect req.http.Cookie == "_ga=1; sessionid=abc"
    txresp -hdr "Cache-Control: private" -body "story a, as staff see it"
    rxreq
    expect req.url == "/admin/"
    txresp -status 302
    rxreq
    expect req.url == "/preview/stories/1/"
    txresp -hdr "KEPT" -body "preview"
    rxreq
    expect req.method == "POST"
    txresp -body "posted"
    rxreq
    expect req.url == "/missing/"
    txresp -status 404 -hdr "KEPT"
    rxreq
    expect req.url == "/missing/"
    txresp -status 404 -hdr "KEPT"
    rxreq
    expect req.url == "/api/"
    txresp -hdr "Cache-Control: public, max-age=600" -body "no surrogate control"
    rxreq
    expect req.url == "/api/"
    txresp -hdr "Cache-Control: public, max-age=600" -body "no surrogate control"
    rxreq
    expect req.url == "/stories/a/"
    txresp -hdr "KEPT" -hdr "xkey: story:1 front:home" -body "story a, corrected"
} -start

varnish v1 -arg "-p vcc_err_unref=off" -vcl {VCL} -start

client c1 {
    txreq -url "/stories/a/" -hdr "Cookie: _ga=1; consent=yes"
    rxresp
    expect resp.status == 200
    expect resp.body == "story a"
    expect resp.http.X-Cache == "MISS"
    expect resp.http.xkey == <undef>
    expect resp.http.Surrogate-Key == <undef>
    expect resp.http.Surrogate-Control == <undef>
    expect resp.http.X-Edge-SWR == <undef>
    expect resp.http.Cache-Control == "no-cache"

    # Kept: campaign parameters and other cookies make no page of their own.
    txreq -url "/stories/a/?utm_source=feed&fbclid=x" -hdr "Cookie: _ga=2"
    rxresp
    expect resp.body == "story a"
    expect resp.http.X-Cache == "HIT"

    txreq -url "/stories/b/"
    rxresp
    expect resp.http.X-Cache == "MISS"

    # Staff (the session cookie), the admin, previews and posts are the app's own answer.
    txreq -url "/stories/a/" -hdr "Cookie: _ga=1; sessionid=abc"
    rxresp
    expect resp.body == "story a, as staff see it"
    expect resp.http.X-Cache == "PASS"
    txreq -url "/admin/"
    rxresp
    expect resp.status == 302
    expect resp.http.X-Cache == "PASS"
    txreq -url "/preview/stories/1/"
    rxresp
    expect resp.body == "preview"
    txreq -req POST -url "/search/" -body "q=x"
    rxresp
    expect resp.body == "posted"

    # Only 200s are kept, and only with the app's Surrogate-Control.
    txreq -url "/missing/"
    rxresp
    expect resp.status == 404
    txreq -url "/missing/"
    rxresp
    expect resp.status == 404
    txreq -url "/api/"
    rxresp
    txreq -url "/api/"
    rxresp
    expect resp.http.X-Cache == "PASS"

    # A purge by key drops exactly the pages carrying it, and says how many.
    txreq -req PURGE -url "/" -hdr "xkey-purge: story:1 tag:99"
    rxresp
    expect resp.status == 200
    expect resp.body == "Purged 1 objects\n"
    txreq -url "/stories/b/"
    rxresp
    expect resp.http.X-Cache == "HIT"
    txreq -url "/stories/a/"
    rxresp
    expect resp.body == "story a, corrected"
    expect resp.http.X-Cache == "MISS"

    txreq -req PURGE -url "/"
    rxresp
    expect resp.status == 400

    # Relayed by a proxy on this machine (a reader's PURGE through the TLS proxy): refused.
    txreq -req PURGE -url "/" -hdr "xkey-purge: story:2" -hdr "X-Forwarded-For: 203.0.113.9"
    rxresp
    expect resp.status == 403
} -run

server s1 -wait

# Two pages kept for a second: one the app allows to be served stale only when it fails, one
# it allows to be served stale while a fresh copy is fetched. Then they are past their time.
server s1 {
    rxreq
    expect req.url == "/live/"
    txresp -hdr "STALE_IF_ERROR" -hdr "xkey: story:3" -body "live, 10:00"
    rxreq
    expect req.url == "/front/"
    txresp -hdr "STALE_WHILE_REVALIDATE" -body "front, 10:00"
} -start

client c1 {
    txreq -url "/live/"
    rxresp
    expect resp.body == "live, 10:00"
    txreq -url "/front/"
    rxresp
    expect resp.body == "front, 10:00"
} -run

server s1 -wait
delay 1.5

# The app answering with an error: the stale copy is served.
server s1 {
    rxreq
    expect req.url == "/live/"
    txresp -status 500 -body "app error"
} -start

client c1 {
    txreq -url "/live/"
    rxresp
    expect resp.status == 200
    expect resp.body == "live, 10:00"
} -run

server s1 -wait

# The app server gone (it takes the request and closes), before any probe could notice.
server s1 {
    rxreq
    expect req.url == "/live/"
} -start

client c1 {
    txreq -url "/live/"
    rxresp
    expect resp.status == 200
    expect resp.body == "live, 10:00"
} -run

server s1 -wait

# Within stale-while-revalidate, with the app up: served at once, refreshed behind.
server s1 {
    rxreq
    expect req.url == "/front/"
    txresp -hdr "STALE_WHILE_REVALIDATE" -body "front, 10:01"
} -start

client c1 {
    txreq -url "/front/"
    rxresp
    expect resp.body == "front, 10:00"
    expect resp.http.X-Cache == "HIT"
} -run

server s1 -wait

# Every app server down (as the probe finds them): kept pages are served without asking, a page
# never kept is an error, and a purged page is gone for good (a withdrawn story stays withdrawn).
varnish v1 -cliok "backend.set_health app1 sick"
varnish v1 -cliok "backend.set_health app2 sick"

client c1 {
    txreq -url "/live/"
    rxresp
    expect resp.status == 200
    expect resp.body == "live, 10:00"
    expect resp.http.X-Cache == "HIT"
    txreq -url "/stories/b/"
    rxresp
    expect resp.body == "story b"
    txreq -url "/never-kept/"
    rxresp
    expect resp.status == 503
    txreq -req PURGE -url "/" -hdr "xkey-purge: story:3"
    rxresp
    expect resp.body == "Purged 1 objects\n"
    txreq -url "/live/"
    rxresp
    expect resp.status == 503
} -run

# Purging is for the app's machines only (the purgers ACL, here without loopback).
varnish v2 -arg "-p vcc_err_unref=off" -vcl {VCL_NO_PURGERS} -start

client c2 -connect ${v2_sock} {
    txreq -req PURGE -url "/" -hdr "xkey-purge: story:2"
    rxresp
    expect resp.status == 403
} -run
"""


def rendered_vcl(*, purgers: bool = True) -> str:
    text = VCL.read_text()
    # The probe is left defined but used by nobody: the script turns vcc_err_unref off for it.
    text, probes = re.subn(r"\n\s*\.probe = healthz;", "", text)
    text, hosts = re.subn(r'\.host = "127\.0\.0\.1";', '.host = "${s1_addr}";', text)
    text, ports = re.subn(r'\.port = "800[12]";', '.port = "${s1_port}";', text)
    if not purgers:
        text, acl = re.subn(r'"127\.0\.0\.1";\s*"::1";', '"192.0.2.1";', text)
        assert acl == 1, "the purgers ACL has changed: update rendered_vcl()"
    assert (probes, hosts, ports) == (2, 2, 2), "the backends have changed: update rendered_vcl()"
    # varnishtest sets the VCL version itself.
    return text.replace("vcl 4.1;", "", 1)


def test_the_edge_configuration_request_by_request(tmp_path):
    if not shutil.which("varnishtest"):
        unavailable("varnishtest is not installed (apt-get install varnish; .ci/run does)")
    script = (
        SCRIPT.replace("{VCL}", "{" + rendered_vcl() + "}")
        .replace("{VCL_NO_PURGERS}", "{" + rendered_vcl(purgers=False) + "}")
        .replace('"KEPT"', f'"{KEPT}"')
        .replace('"STALE_IF_ERROR"', f'"{STALE_IF_ERROR}"')
        .replace('"STALE_WHILE_REVALIDATE"', f'"{STALE_WHILE_REVALIDATE}"')
    )
    path = tmp_path / "newsroom.vtc"
    path.write_text(script)
    run = subprocess.run(
        ["varnishtest", "-t", "30", path],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    output = run.stdout + run.stderr
    if run.returncode != 0 and re.search(
        r"Could not (find|load) VMOD xkey|xkey.*not found", output
    ):
        unavailable("Varnish's xkey module is missing (apt-get install varnish-modules)")
    assert run.returncode == 0, output[-8000:]
