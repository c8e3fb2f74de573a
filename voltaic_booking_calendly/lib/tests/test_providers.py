"""The pure mapping of Calendly and Cal.com payloads to one neutral change."""

import copy
from datetime import datetime, timezone

import pytest
from voltaic_booking_calendly_fixtures import LENA_NEW_UID, LENA_UID, TOM_NEW_UID, TOM_UID, fixture
from voltaic_booking_calendly_lib import providers

UTC = timezone.utc


class TestProviderMapping:

    def test_delivery_key_is_stable_and_distinguishes_events(self):
        created, _raw = fixture("calendly_invitee_created")
        assert providers.delivery_key("calendly", created) == providers.delivery_key("calendly", copy.deepcopy(created))
        cancelled, _raw = fixture("calendly_invitee_canceled")
        assert providers.delivery_key("calendly", created) != providers.delivery_key("calendly", cancelled)
        booked, _raw = fixture("calcom_booking_created")
        assert providers.delivery_key("calcom", booked) == f"BOOKING_CREATED:{TOM_UID}:2026-03-02T09:31:07.412Z"
        ended, _raw = fixture("calcom_meeting_ended")
        assert providers.delivery_key("calcom", ended) == f"MEETING_ENDED:{TOM_UID}"

    def test_calendly_reschedule_links_both_halves(self):
        old = providers.normalize("calendly", fixture("calendly_rescheduled_canceled")[0])
        new = providers.normalize("calendly", fixture("calendly_rescheduled_created")[0])
        assert (old["kind"], old["uid"], old["next_uid"], old["rescheduled"]) == \
            ("cancelled", LENA_UID, LENA_NEW_UID, True)
        assert (new["kind"], new["uid"], new["previous_uid"]) == ("rescheduled", LENA_NEW_UID, LENA_UID)
        assert new["start"] == datetime(2026, 3, 12, 13, 0, tzinfo=UTC)

    @pytest.mark.parametrize(("location", "expected"), [
        ({"type": "physical", "location": "Speicherstadt 4, Hamburg"}, ("in_person", "Speicherstadt 4, Hamburg")),
        ({"type": "outbound_call", "location": "+49 40 555 0101"}, ("phone", "+49 40 555 0101")),
        ({"type": "google_conference", "status": "pushed", "join_url": "https://meet.google.com/aaa-bbbb-ccc"},
         ("video", "https://meet.google.com/aaa-bbbb-ccc")),
        ({"type": "custom", "location": "https://whereby.com/voltaic"}, ("video", "https://whereby.com/voltaic")),
        (None, (None, "")),
    ])
    def test_calendly_locations(self, location, expected):
        data, _raw = fixture("calendly_invitee_created")
        data["payload"]["scheduled_event"]["location"] = location
        change = providers.normalize("calendly", data)
        assert (change["meeting_type"], change["location"]) == expected

    def test_calcom_no_show_flags_and_flat_meeting_events(self):
        no_show = providers.normalize("calcom", fixture("calcom_no_show_updated")[0])
        assert (no_show["kind"], no_show["uid"]) == ("no_show", TOM_UID)
        data, _raw = fixture("calcom_no_show_updated")
        data["payload"]["attendees"][0]["noShow"] = False
        assert providers.normalize("calcom", data)["kind"] == "no_show_removed"
        ended = providers.normalize("calcom", fixture("calcom_meeting_ended")[0])
        assert (ended["kind"], ended["uid"], ended["host_emails"]) == \
            ("ended", TOM_UID, ["james.carter@voltaic.example"])
        moved = providers.normalize("calcom", fixture("calcom_booking_rescheduled")[0])
        assert (moved["kind"], moved["uid"], moved["previous_uid"]) == ("rescheduled", TOM_NEW_UID, TOM_UID)

    def test_calcom_links_from_the_booker_url(self):
        booked = providers.normalize("calcom", fixture("calcom_booking_created")[0])
        assert booked["reschedule_url"] == f"https://cal.com/reschedule/{TOM_UID}"
        assert booked["cancel_url"] == f"https://cal.com/booking/{TOM_UID}?cancel=true"
        data, _raw = fixture("calcom_booking_created")
        data["payload"]["bookerUrl"] = "https://book.voltaic.example/"
        assert providers.normalize("calcom", data)["reschedule_url"] == \
            f"https://book.voltaic.example/reschedule/{TOM_UID}"
        data["payload"]["bookerUrl"] = "javascript:alert(1)"
        assert providers.normalize("calcom", data)["reschedule_url"] is None

    def test_calcom_api_booking(self):
        bookings = fixture("calcom_api_bookings")[0]["data"]
        missed = providers.normalize("calcom", bookings[1], "reconciliation")
        assert (missed["kind"], missed["uid"], missed["duration"]) == ("created", "Hx3vLq8rWd1sNc6tBm9kPa", 30)
        assert (missed["first_name"], missed["last_name"], missed["company"]) == \
            ("Oskar", "Lindqvist", "Lindqvist Bakeries")
        cancelled = dict(bookings[0], status="cancelled", rescheduledToUid=TOM_NEW_UID)
        change = providers.normalize("calcom", cancelled, "reconciliation")
        assert (change["kind"], change["rescheduled"], change["next_uid"]) == ("cancelled", True, TOM_NEW_UID)
        assert providers.normalize("calcom", dict(bookings[0], status="pending"), "reconciliation")["kind"] is None

    @pytest.mark.parametrize(("provider", "data"), [
        ("calendly", {"event": "invitee.created", "payload": {"uri": "x"}}),
        ("calendly", {"event": "invitee.created"}),
        ("calcom", {"triggerEvent": "BOOKING_CREATED", "payload": {"startTime": "x"}}),
    ])
    def test_broken_payloads_raise(self, provider, data):
        with pytest.raises(providers.PayloadError):
            providers.normalize(provider, data)

    def test_names(self):
        assert providers.split_name("Maria José García") == ("Maria José", "García")
        assert providers.split_name("Cher") == ("Cher", "")
