"""Belgian public holidays, the quiet days of the simulated organisation.

A small table instead of the ``holidays`` package: importing that package
compiles every country's module, which costs seconds at each sandbox start.
"""

from __future__ import annotations

import datetime as dt

from dateutil.easter import easter

FIXED = ((1, 1), (5, 1), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25))
# Easter Sunday and Monday, Ascension Day, Pentecost Sunday and Whit Monday
EASTER_OFFSETS = (0, 1, 39, 49, 50)


def belgian_holidays(years: range) -> set[dt.date]:
    days = {dt.date(year, month, day) for year in years for month, day in FIXED}
    for year in years:
        sunday = easter(year)
        days |= {sunday + dt.timedelta(days=offset) for offset in EASTER_OFFSETS}
    return days
