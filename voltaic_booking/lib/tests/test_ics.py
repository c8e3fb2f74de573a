"""The ICS documents of a booking: an invitation attached to e-mails, a plain entry to download."""

from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar
from voltaic_booking_lib import ics

START = datetime(2026, 3, 5, 9, 0)  # naive UTC, as Odoo stores it
END = START + timedelta(minutes=30)
MANAGE = "https://book.example.com/book-consultation/manage/VLT-00042?token=abc"
JOIN = "https://meet.example.com/carla"


def document(**kwargs):
    values = {
        "uid": "VLT-00042@voltaic-booking", "start": START, "end": END, "summary": "Consultation with Carla",
        "organizer_email": "carla@voltaic.example", "organizer_name": "Carla Consultant",
        "attendee_email": "priya@example.com", "attendee_name": "Priya Sharma",
        "stamp": datetime(2026, 3, 1, tzinfo=timezone.utc),
    }
    values.update(kwargs)
    calendar = Calendar.from_ical(ics.build_ics(**values))
    (event,) = calendar.walk("VEVENT")
    return calendar, event


class TestIcs:
    def test_mail_attachment_is_an_invitation(self):
        calendar, event = document()
        assert str(calendar.get("METHOD")) == "REQUEST"
        assert str(event["STATUS"]) == "CONFIRMED"
        assert str(event["ATTENDEE"]) == "mailto:priya@example.com"
        assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
        assert str(event["ORGANIZER"]) == "mailto:carla@voltaic.example"

    def test_cancelled_invitation_cancels(self):
        calendar, event = document(cancelled=True, sequence=2)
        assert str(calendar.get("METHOD")) == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED"
        assert event["SEQUENCE"] == 2
        assert event["ATTENDEE"].params["PARTSTAT"] == "DECLINED"

    def test_download_is_published_without_attendee(self):
        description = ics.booking_description("VLT-00042", JOIN, MANAGE)
        calendar, event = document(method="PUBLISH", description=description, location=JOIN)
        assert str(calendar.get("METHOD")) == "PUBLISH"
        assert "ATTENDEE" not in event
        # the organizer stays (RFC 5546 wants it on PUBLISH), the same UID lets a calendar update the entry
        assert str(event["ORGANIZER"]) == "mailto:carla@voltaic.example"
        assert str(event["UID"]) == "VLT-00042@voltaic-booking"
        assert event.decoded("DTSTART") == START.replace(tzinfo=timezone.utc)
        assert str(event["DESCRIPTION"]).splitlines() == [
            "Reference: VLT-00042", f"Join: {JOIN}", f"Manage your booking: {MANAGE}"]

    def test_published_cancellation_keeps_its_status(self):
        calendar, event = document(method="PUBLISH", cancelled=True)
        assert str(calendar.get("METHOD")) == "PUBLISH"
        assert str(event["STATUS"]) == "CANCELLED"

    def test_long_description_lines_fold_and_unfold(self):
        long_manage = MANAGE + "&x=" + "y" * 120
        raw = ics.build_ics(uid="u", start=START, end=END, summary="s", method="PUBLISH",
                            description=ics.booking_description("VLT-1", manage_url=long_manage))
        assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # RFC 5545 line length (octets)
        (event,) = Calendar.from_ical(raw).walk("VEVENT")
        assert long_manage in str(event["DESCRIPTION"])

    def test_unknown_method_is_refused(self):
        with pytest.raises(ValueError):
            ics.build_ics(uid="u", start=START, end=END, summary="s", method="REPLY")


class TestBookingDescription:
    def test_lines_in_order_and_translated(self):
        text = ics.booking_description(
            "VLT-7", JOIN, MANAGE, extra="Roof PV",
            labels={"reference": "Buchungsnummer", "join": "Teilnehmen", "manage": "Buchung verwalten"})
        assert text.splitlines() == [
            "Roof PV", "Buchungsnummer: VLT-7", f"Teilnehmen: {JOIN}", f"Buchung verwalten: {MANAGE}"]

    def test_missing_values_leave_their_line_out(self):
        assert ics.booking_description("VLT-7", "", MANAGE).splitlines() == [
            "Reference: VLT-7", f"Manage your booking: {MANAGE}"]
