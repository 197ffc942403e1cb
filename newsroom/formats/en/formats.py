"""The newsroom's way of writing dates, for the admin as for the reader site ("24 November 2026,
12:00 UTC"), instead of Django's English defaults ("Nov. 24, 2026, noon"). Only display formats:
what forms accept is unchanged."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i T"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
