"""ICS (iCalendar) documents for bookings, built with ``icalendar``.

One VEVENT per booking with a stable UID, so that calendar clients update
the same entry when a booking is moved (higher SEQUENCE) or cancelled
(STATUS:CANCELLED).

Two flavours (RFC 5546 methods):

* the file attached to e-mails is an invitation: ``METHOD:REQUEST`` (or
  ``METHOD:CANCEL`` once cancelled) with the client as ATTENDEE, so mail
  clients offer to accept it and update the entry later;
* the file a client downloads from the confirmation or manage page is
  ``METHOD:PUBLISH``: a plain entry to add to one's own calendar, without
  attendees (a calendar would otherwise ask its owner to answer an
  invitation they sent themselves).
"""

from datetime import datetime, timezone

from icalendar import Calendar, Event, vCalAddress, vText

UTC = timezone.utc

METHODS = ("REQUEST", "CANCEL", "PUBLISH")


def booking_description(reference, join_url="", manage_url="", *, labels=None, extra=""):
    """The DESCRIPTION of a booking's event: what the client needs when the entry is open.

    ``Reference: VLT-…`` / ``Join: https://…`` / ``Manage your booking: https://…``, one per line,
    an empty value leaves its line out. ``labels`` translates the three labels (keys
    ``reference``, ``join``, ``manage``); ``extra`` (e.g. the subject) comes first.
    """
    labels = {"reference": "Reference", "join": "Join", "manage": "Manage your booking", **(labels or {})}
    lines = [extra.strip()] if extra and extra.strip() else []
    for key, value in (("reference", reference), ("join", join_url), ("manage", manage_url)):
        if value:
            lines.append(f"{labels[key]}: {value}")
    return "\n".join(lines)


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
    method=None,
):
    """Return the ICS document (bytes) of one booking.

    ``start``/``end`` are aware datetimes or naive UTC datetimes. ``method`` is ``REQUEST``/``CANCEL``
    (an invitation; the default: ``CANCEL`` once cancelled) or ``PUBLISH`` (a download: no attendee,
    a cancelled booking keeps ``STATUS:CANCELLED``).
    """
    method = (method or ("CANCEL" if cancelled else "REQUEST")).upper()
    if method not in METHODS:
        raise ValueError(f"unknown iTIP method {method!r}")
    calendar = Calendar()
    calendar.add("prodid", "-//Voltaic//voltaic_booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
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
    if attendee_email and method != "PUBLISH":
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
