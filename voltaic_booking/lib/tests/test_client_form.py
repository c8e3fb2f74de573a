"""The booking form's e-mail rule and required details (mirrored by booking_form_rules.js), and zone labels."""

from datetime import datetime

import pytest
from voltaic_booking_lib import client_form, zone_names

# the same examples as the tour's check of the page's rule (static/tests/tours/booking_one_screen.js)
VALID = ["jane.doe@example.com", "j@example.de", "jane+news@mail.example.co.uk", "o'brien@example.ie",
         "  jane@example.com  "]
INVALID = ["jane..doe@example.com", ".jane@example.com", "jane.@example.com", "jane@example", "jane@-example.com",
           "jane@example..com", "jane doe@example.com", "jane@@example.com", "@example.com", "jane@", "",
           "jane@example.c", ("a" * 65) + "@example.com", None, 42]


@pytest.mark.parametrize("value", VALID)
def test_valid_addresses_pass(value):
    assert client_form.is_valid_email(value)


@pytest.mark.parametrize("value", INVALID)
def test_invalid_addresses_are_refused(value):
    assert not client_form.is_valid_email(value)


def test_required_details_are_those_left_empty():
    values = {"phone": " ", "company": "Acme", "subject": None}
    assert client_form.missing_required_details(values, {"phone", "company", "subject"}) == ["phone", "subject"]
    assert client_form.missing_required_details(values, set()) == []


def test_zone_labels_say_name_city_and_offset_in_the_readers_language():
    winter, summer = datetime(2026, 12, 1, 9), datetime(2026, 7, 1, 9)
    assert zone_names.zone_label("Europe/Berlin", winter, "en_US") == "Central European Time — Berlin (UTC+1)"
    assert zone_names.zone_label("Europe/Berlin", summer, "de_DE") == "Mitteleuropäische Zeit — Berlin (UTC+2)"
    assert zone_names.zone_label("America/New_York", winter, "en_US") == "Eastern Time — New York (UTC-5)"
    assert zone_names.zone_label("Asia/Kolkata", winter, "en_US").endswith("(UTC+5:30)")
    assert zone_names.zone_label("UTC", winter, "en_US") == "UTC"


def test_zone_labels_read_the_same_in_every_language_but_the_zone_name():
    """The city comes from the zone's id, as on the page (browsers have no city names): one spelling everywhere."""
    winter = datetime(2026, 12, 1, 9)
    assert zone_names.zone_label("Europe/Lisbon", winter, "de_DE") == "Westeuropäische Zeit — Lisbon (UTC)"
    assert zone_names.zone_label("Asia/Kolkata", winter, "de_DE").endswith("— Kolkata (UTC+5:30)")
