"""The newsroom's own plain-text copy (``articles.wire``: dateline, reporter, email, then one
paragraph a line) as a queue item, so filed copy and agency copy are worked from one queue.

Filed copy has no identifier or version of its own: it is known by its fingerprint (the same
story filed again is the same item, and is skipped), and its headline is the provisional one
taken from its first sentence.
"""

from articles import wire

from . import USABLE, IngestError, Item

PROVIDER = "Filed copy"


def parse(data: bytes, filename: str) -> list[Item]:
    try:
        copy = wire.parse(data, filename)
    except wire.WireError as error:
        place = None if error.line is None else f"line {error.line}"
        raise IngestError(filename, place, error.message) from None
    return [
        Item(
            format="plain-text",
            provider=PROVIDER,
            uri=f"urn:newsroom:copy:{copy.fingerprint}",
            version=1,
            versioncreated=None,
            pubstatus=USABLE,
            embargo_until=None,
            headline=copy.provisional_headline,
            standfirst="",
            byline=copy.reporter_name,
            dateline=copy.dateline,
            language="",
            subjects=(),
            body_html=copy.body_html,
            # wire.parse has read it as UTF-8 already; the record keeps it less its byte order mark.
            raw=data.decode("utf-8").removeprefix("\ufeff"),
            reporter_email=copy.reporter_email,
        )
    ]
