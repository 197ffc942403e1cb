"""The address a request really comes from, for the login lockout (django-axes).

Behind a reverse proxy every request arrives from the proxy's address; locking by it would let
one client's wrong passwords lock a login for everybody. Each trusted proxy appends the address it
received the request from to ``X-Forwarded-For``, so with ``TRUSTED_PROXY_HOPS`` proxies in front
the client is the entry that many places from the right. Entries further left were written by the
client itself and are never believed. A header shorter than the hops, or none, means the request
did not come through the proxies: its own ``REMOTE_ADDR`` is used.

Written here rather than taking django-ipware: the rule is these few lines, and its one setting
(how many proxies to trust) is the only choice a newsroom has to make.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_HOPS
    if hops < 1:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
