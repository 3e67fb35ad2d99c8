"""Dates with their precision (a day, a month, a year), compared at that precision as Wikidata does.

>>> d = parse("2023-10")
>>> d.start, d.end, d.precision
(datetime.date(2023, 10, 1), datetime.date(2023, 10, 31), 'month')
>>> parse("2023").holds_by(date(2023, 6, 1)), parse("2024").holds_by(date(2023, 12, 31))
(True, False)
>>> parse("this year", said=parse("2025-03-02")).text
'2025'
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from kg.vocab import CART

PRECISIONS = {"day": CART + "DayPrecision", "month": CART + "MonthPrecision", "year": CART + "YearPrecision"}
_FORMS = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
RELATIVE = ("this year", "this month")


@dataclass(frozen=True)
class Dated:
    """A date as a source gives it: the period it names (first and last day) and its precision."""

    start: date
    end: date
    precision: str

    @property
    def text(self) -> str:
        """The date written at its precision: 2023-10-05, 2023-10 or 2023."""
        return {"day": self.start.isoformat(), "month": self.start.isoformat()[:7], "year": self.start.isoformat()[:4]}[
            self.precision]

    def holds_by(self, when: date) -> bool:
        """True if this date is on or before `when`, compared at this date's precision.

        2023 is on or before 2023-06-01.
        """
        return self.start <= when

    def after(self, when: date) -> bool:
        """True if this date is after `when` at this date's precision (2023 is not after 2023-06-01)."""
        return self.start > when


class DateError(ValueError):
    """A cell that is not a date at any precision."""


def parse(text: str, said: Dated | None = None) -> Dated:
    """A date from YYYY-MM-DD, YYYY-MM or YYYY, or "this year" / "this month" resolved against `said`.

    `said` is the source's date.
    """
    value = text.strip()
    if value.lower() in RELATIVE:
        if said is None:
            raise DateError(f"{value!r} needs the source's date (a cart:publishedOn row for the source)")
        if value.lower() == "this month":
            if said.precision == "year":
                raise DateError(f"{value!r}: the source's date {said.text} gives no month")
            return parse(said.text[:7])
        return parse(said.text[:4])
    match = _FORMS.match(value)
    if not match:
        raise DateError(f"{value!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    year, month, day = match.groups()
    try:
        if day:
            d = date(int(year), int(month), int(day))
            return Dated(d, d, "day")
        if month:
            first = date(int(year), int(month), 1)
            return Dated(first, date(first.year, first.month, calendar.monthrange(first.year, first.month)[1]), "month")
        return Dated(date(int(year), 1, 1), date(int(year), 12, 31), "year")
    except ValueError:
        raise DateError(f"{value!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)") from None
