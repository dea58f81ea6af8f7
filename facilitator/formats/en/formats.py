"""How the site writes dates and times in English: the one place for them.

Templates name these formats (``|date:"DATETIME_FORMAT"``, ``|date`` for DATE_FORMAT,
``|time``) and Python calls ``django.utils.formats.date_format`` with the same names,
so every page, email, feed and printed report says "Tue 8 Dec 2026, 19:00". A
translation changes them with its own ``formats.py`` beside this one
(``FORMAT_MODULE_PATH``). Times are 24-hour, so no "p.m." meets a full stop.
Machine-readable values (a ``<time datetime>``, the CSV's dates) stay ISO 8601."""

# Tue 8 Dec 2026, 19:00
DATETIME_FORMAT = "D j M Y, H:i"
# Tue 8 Dec 2026
DATE_FORMAT = "D j M Y"
# Tue 8 Dec, 19:00: where the year goes without saying (the next sessions, a reminder)
SHORT_DATETIME_FORMAT = "D j M, H:i"
# 8 Dec 2026: in running text and ranges ("from 8 Dec 2026 to 2 Feb 2027")
SHORT_DATE_FORMAT = "j M Y"
# 8 Dec: a chart's axis
MONTH_DAY_FORMAT = "j M"
# Dec 2026: a month's column
YEAR_MONTH_FORMAT = "M Y"
# 19:00
TIME_FORMAT = "H:i"
