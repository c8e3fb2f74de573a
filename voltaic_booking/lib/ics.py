"""ICS (iCalendar) documents for bookings, built with ``icalendar``.

One VEVENT per booking with a stable UID, so that calendar clients update
the same entry when a booking is moved (higher SEQUENCE) or cancelled
(METHOD:CANCEL, STATUS:CANCELLED).
"""

from datetime import datetime, timezone

from icalendar import Calendar, Event, vCalAddress, vText

UTC = timezone.utc


def build_ics(
    *,
    uid,
    start,
    end,
    summary,
    description="",
    location="",
    url="",
    sequence=0,
    organizer_email="",
    organizer_name="",
    attendee_email="",
    attendee_name="",
    cancelled=False,
    stamp=None,
):
    """Return the ICS document (bytes) of one booking.

    ``start``/``end`` are aware datetimes or naive UTC datetimes.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Voltaic//voltaic_booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", _utc(stamp or datetime.now(UTC)))
    event.add("dtstart", _utc(start))
    event.add("dtend", _utc(end))
    event.add("sequence", int(sequence))
    event.add("summary", summary)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    if organizer_email:
        organizer = vCalAddress(f"mailto:{organizer_email}")
        if organizer_name:
            organizer.params["cn"] = vText(organizer_name)
        event["organizer"] = organizer
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        if attendee_name:
            attendee.params["cn"] = vText(attendee_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("DECLINED" if cancelled else "ACCEPTED")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()


def _utc(value):
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
