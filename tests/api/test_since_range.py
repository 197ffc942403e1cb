"""``?since=`` at the ends of the calendar: a moment that cannot be expressed in UTC (the time the
database compares in) is a 400 naming the parameter, on every database, never a 500."""

from urllib.parse import quote

import pytest

pytestmark = pytest.mark.django_db


def get(client, query, status):
    response = client.get(f"/api/stories/?{query}")
    assert response.status_code == status, (query, response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+01:00",  # 31 December of the year 0 in UTC
        "0001-01-01T00:59:59+01:00",
        "9999-12-31T23:59:59-01:00",  # 1 January 10000 in UTC
        "9999-12-31T23:00:00-01:00",
        "0001-01-01T00:00+14:00",
        "9999-12-31T12:00-12:00",
    ],
)
def test_a_time_beyond_the_calendar_in_utc_is_a_400(client, seed, value):
    data = get(client, f"since={quote(value)}", 400)

    assert data["error"]["status"] == 400
    assert data["error"]["parameter"] == "since"
    assert "since" in data["error"]["message"]


def test_the_plus_that_arrives_as_a_space_is_refused_the_same_way(client, seed):
    data = get(client, "since=0001-01-01T00:00:00+01:00", 400)
    assert data["error"]["parameter"] == "since"


@pytest.mark.parametrize(
    ("zone", "value"),
    [
        # A date or time without a zone is in the newsroom's time zone.
        ("Asia/Hong_Kong", "0001-01-01"),
        ("Asia/Hong_Kong", "0001-01-01T07:00:00"),
        ("Pacific/Auckland", "0001-01-01T11:00"),
        ("America/New_York", "9999-12-31T23:59:59"),
        ("America/New_York", "9999-12-31T19:00"),
    ],
)
def test_a_date_beyond_the_calendar_in_the_newsroom_zone_is_a_400(
    client, seed, settings, zone, value
):
    settings.TIME_ZONE = zone
    data = get(client, f"since={quote(value)}", 400)

    assert data["error"]["parameter"] == "since"


@pytest.mark.parametrize(
    ("zone", "value"),
    [
        ("UTC", "0001-01-01"),
        ("UTC", "0001-01-01T00:00:00Z"),
        ("UTC", "9999-12-31T23:59:59Z"),
        ("UTC", "9999-12-31"),
        ("UTC", "0001-01-01T01:00:00%2B01:00"),
        ("UTC", "9999-12-31T22:59:59-01:00"),
        ("Asia/Hong_Kong", "0001-01-01T08:00:00"),
        ("Asia/Hong_Kong", "9999-12-31"),
        ("America/New_York", "0001-01-01"),
    ],
)
def test_the_ends_of_the_calendar_that_are_in_range_are_answered(
    client, seed, settings, zone, value
):
    settings.TIME_ZONE = zone
    data = get(client, f"since={value}", 200)

    # Everything was published and changed after the year 1, and nothing after 9999.
    expected = [seed.slug] if value.startswith("0001") else []
    assert [item["slug"] for item in data["results"]] == expected
