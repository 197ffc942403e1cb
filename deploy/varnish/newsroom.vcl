vcl 4.1;

# Varnish in front of the newsroom's app servers (deploy/README.md). Readers' pages are kept as long
# as the app's Surrogate-Control says and dropped by key the moment what they show changes: the
# app's task worker sends `PURGE /` with `xkey-purge: story:12 front:home ...` (core/edge.py).
#
# Edit for your site (deploy/README.md, "The Varnish configuration"):
# - the backends: one per app server, each in the director in vcl_init;
# - the Host header of the health probe: a name in the app's ALLOWED_HOSTS;
# - the purgers ACL: the machines that run `manage.py worker`;
# - the session cookie's name, if SESSION_COOKIE_NAME is not "sessionid".
#
# Needs Debian's varnish (7.1) and varnish-modules (for xkey).

import directors;
import std;
import xkey;

# The app's /healthz answers 200 only while stories can be read from the database; a server that
# fails it is taken out of the rotation, and when none is left the edge serves what it has (grace).
probe healthz {
    .request =
        "GET /healthz HTTP/1.1"
        "Host: news.example.org"
        "X-Forwarded-Proto: https"
        "User-Agent: varnish-probe"
        "Connection: close";
    .interval = 2s;
    .timeout = 2s;
    .window = 5;
    .threshold = 3;
}

backend app1 {
    .host = "127.0.0.1";
    .port = "8001";
    .probe = healthz;
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
}

backend app2 {
    .host = "127.0.0.1";
    .port = "8002";
    .probe = healthz;
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
}

# Who may purge: the machines running the app's task worker. Everyone else gets 403.
acl purgers {
    "127.0.0.1";
    "::1";
    # "10.0.0.0"/24;    # e.g. the app servers' private network
}

sub vcl_init {
    new app = directors.round_robin();
    app.add_backend(app1);
    app.add_backend(app2);
}

sub vcl_recv {
    # Headers this configuration uses between its own steps; a client never sets them.
    if (req.restarts == 0) {
        unset req.http.X-Edge-Stale;
        unset req.http.X-Edge-Fetch-Failed;
    }
    set req.backend_hint = app.backend();

    if (req.method == "PURGE") {
        # From a purger, and straight from it: a request relayed by the TLS proxy on this
        # machine comes from loopback too, but Varnish has appended that address to the proxy's
        # X-Forwarded-For (which the proxy must send: deploy/README.md).
        if (client.ip !~ purgers || req.http.X-Forwarded-For != "" + client.ip) {
            return (synth(403, "Purging is not allowed from this address"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Name the keys to purge in an xkey-purge header"));
        }
        # A hard purge, never a soft one: a purged page is wrong (a withdrawn story, a corrected
        # name), so it must not come back even as the stale copy served while the app is down.
        set req.http.X-Edge-Purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.X-Edge-Purged + " objects"));
    }

    call vcl_req_host;
    call vcl_req_method;
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Editors' screens, previews and the health check are always the app's own answer.
    if (req.url ~ "^/(admin|preview)/" || req.url ~ "^/healthz") {
        return (pass);
    }
    # A logged-in member of staff (Django's session cookie; SESSION_COOKIE_NAME) sees the site
    # as it is, and nothing they are shown is kept.
    if (req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    call vcl_req_authorization;

    # Readers' pages are the same for everyone: other cookies (analytics, consent banners) would
    # only split the cache, and the app ignores them.
    unset req.http.Cookie;
    # Campaign parameters the app ignores (the page is the same) would otherwise each be kept as
    # a page of its own.
    set req.url = regsuball(req.url, "(?i)([?&])(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid)=[^&]*", "\1");
    set req.url = regsuball(req.url, "&+", "&");
    set req.url = regsub(req.url, "\?&", "?");
    set req.url = regsub(req.url, "[?&]$", "");
    set req.url = std.querysort(req.url);

    if (req.http.X-Edge-Fetch-Failed) {
        # The app just failed to answer: any copy within its grace beats an error. (req.grace
        # outlives a restart, so the limit set below must be lifted.)
        set req.grace = 3650d;
    } elsif (req.http.X-Edge-Stale) {
        # A copy past what the app allows while it is up (vcl_hit): fetch a fresh one.
        set req.grace = 0s;
    }
    return (hash);
}

sub vcl_hash {
    # Without it, a page fetched over https would answer a plain http request, which the app
    # redirects.
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_hit {
    # A copy past its time is served while the app refreshes it in the background, but for no
    # longer than the app's stale-while-revalidate while the app is up; with the app down, for as
    # long as its stale-if-error (the object's grace).
    if (obj.ttl < 0s && !req.http.X-Edge-Fetch-Failed && std.healthy(req.backend_hint)
        && obj.ttl + std.duration(obj.http.X-Edge-SWR, 0s) < 0s) {
        set req.http.X-Edge-Stale = "1";
        return (restart);
    }
    return (deliver);
}

sub vcl_backend_fetch {
    # Not the app's business.
    unset bereq.http.X-Edge-Fetch-Failed;
    return (fetch);
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    # An app error while a stale copy exists: keep serving the copy.
    if (beresp.status >= 500 && (bereq.is_bgfetch || bereq.http.X-Edge-Stale)) {
        return (abandon);
    }
    if (beresp.status == 200 && beresp.http.Surrogate-Control ~ "(^|[ ,])max-age=[0-9]+"
        && beresp.http.Surrogate-Control !~ "(?i)no-store|private" && !beresp.http.Set-Cookie) {
        set beresp.ttl = std.duration(regsub(beresp.http.Surrogate-Control,
            "^(.*[ ,])?max-age=([0-9]+).*$", "\2") + "s", 0s);
        set beresp.http.X-Edge-SWR = "0s";
        if (beresp.http.Surrogate-Control ~ "stale-while-revalidate=[0-9]+") {
            set beresp.http.X-Edge-SWR = regsub(beresp.http.Surrogate-Control,
                "^.*stale-while-revalidate=([0-9]+).*$", "\1") + "s";
        }
        set beresp.grace = std.duration(beresp.http.X-Edge-SWR, 0s);
        if (beresp.http.Surrogate-Control ~ "stale-if-error=[0-9]+") {
            set beresp.grace = std.duration(regsub(beresp.http.Surrogate-Control,
                "^.*stale-if-error=([0-9]+).*$", "\1") + "s", beresp.grace);
        }
        if (beresp.ttl > 0s) {
            return (deliver);
        }
    } elsif (beresp.status == 200 && bereq.url ~ "^/static/" && beresp.ttl > 0s
        && !beresp.http.Set-Cookie) {
        # Static files (WhiteNoise): as long as their Cache-Control says, a year for hashed names.
        return (deliver);
    }
    # Everything else (redirects, 404s, pages without Surrogate-Control) goes to the app each
    # time; remembered briefly as such, so that requests for it are not queued behind each other.
    set beresp.ttl = 10s;
    set beresp.grace = 0s;
    set beresp.uncacheable = true;
    return (deliver);
}

sub vcl_backend_error {
    # The app could not be reached: no error page kept; the client side serves a stale copy if
    # there is one (vcl_synth).
    return (abandon);
}

sub vcl_synth {
    # A fetch that failed (an app server down before the probe noticed, or answering errors):
    # try once more, taking any stale copy (vcl_recv), then the other app server.
    if (resp.status == 503 && req.restarts < 2 && req.method != "PURGE"
        && !req.http.X-Edge-Fetch-Failed) {
        set req.http.X-Edge-Fetch-Failed = "1";
        return (restart);
    }
    if (req.method == "PURGE") {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.body = resp.reason + {"
"};
        return (deliver);
    }
}

sub vcl_deliver {
    # What the edge and the app say to each other is not the reader's business.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.Surrogate-Control;
    unset resp.http.X-Edge-SWR;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
