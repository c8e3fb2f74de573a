"""Accessibility, measured: axe-core on every step of the booking flow and on the manage page.

axe-core comes from the npm registry, not from this repository: ``.ci/run`` installs it
(``npm install --prefix ~/.cache/voltaic_booking/npm axe-core@4``) and ``./run-tests`` finds it and passes its
path in ``VB_AXE_JS`` (and fails when it is missing). The test serves the file for the length of the test (a
public attachment, rolled back with the test) and the tour ``voltaic_booking_axe``
(static/tests/tours/accessibility.js) injects it into each page: step 1 (consultants), step 2 (date and time),
step 3 (the form), the confirmation page and the manage page (and its reschedule section), at desktop and phone
widths, in English and German. Any serious or critical violation of the WCAG 2.1 A/AA rules fails the tour with
the rule, the elements and what is wrong.
"""

import os
import unittest

from odoo.tests import tagged

from .test_booking_page import PAGE, BookingPageCase

AXE_DEFAULT_PATHS = (
    os.path.expanduser("~/.cache/voltaic_booking/npm/node_modules/axe-core/axe.min.js"),
)
AXE_XMLID = "vb_test_axe_core"


def axe_source_path():
    """The axe-core file: ``VB_AXE_JS`` (set by run-tests), else the place ``.ci/run`` installs it to."""
    for path in (os.environ.get("VB_AXE_JS"), *AXE_DEFAULT_PATHS):
        if path and os.path.isfile(path):
            return path
    return None


@tagged("post_install", "-at_install")
class TestAccessibility(BookingPageCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the first free time stays changeable online, so the manage page shows its reschedule section
        cls.tess.edit_deadline_hours = 0
        path = axe_source_path()
        if not path:
            if os.environ.get("VB_ALLOW_SKIPS"):
                raise unittest.SkipTest("axe-core not found (VB_AXE_JS)")
            raise cls.failureException(
                "axe-core not found (VB_AXE_JS unset and nothing in ~/.cache/voltaic_booking/npm): install it with "
                "`npm install --prefix ~/.cache/voltaic_booking/npm axe-core@4` (.ci/run does) or point VB_AXE_JS "
                "to axe.min.js")
        with open(path, "rb") as axe_file:
            attachment = cls.env["ir.attachment"].create({
                "name": "axe.min.js", "raw": axe_file.read(), "mimetype": "text/javascript", "public": True})
        cls.env["ir.model.data"].create({
            "module": "voltaic_booking", "name": AXE_XMLID, "model": "ir.attachment", "res_id": attachment.id})

    def run_axe(self, url, size, lang):
        self.browser_size = size
        self.touch_enabled = size != "1366x768"
        email = "ally.access@example.com"
        self.start_tour(url, "voltaic_booking_axe", login=None)
        booking = self._bookings(email)
        self.assertEqual(len(booking), 1, "the flow was walked to the end")
        self.assertEqual(booking.language, lang)

    def test_axe_desktop_english(self):
        self.run_axe(PAGE, "1366x768", "en")

    def test_axe_desktop_german(self):
        self.run_axe(f"/de{PAGE}", "1366x768", "de")

    def test_axe_phone_english(self):
        self.run_axe(PAGE, "390x844", "en")

    def test_axe_phone_german(self):
        self.run_axe(f"/de{PAGE}", "390x844", "de")
