"""What a salesperson reads in the back office: calendar titles, dates in their language, Odoo's German."""

from unittest.mock import patch

from odoo.tests import freeze_time

from .back_office_common import BackOfficeCase, utc


@freeze_time("2026-03-02 06:00:00")
class TestBackOfficeDisplay(BackOfficeCase):

    def test_calendar_title_is_client_then_consultant(self):
        booking = self._book(utc(2026, 3, 3, 13, 0))
        self.assertEqual(booking.calendar_title, "Priya Sharma — Carla Consultant")
        arch = self.env["voltaic.booking"].get_view(view_type="calendar")["arch"]
        self.assertIn('create_name_field="calendar_title"', arch)
        self.assertIn('color="consultant_id"', arch)
        self.assertIn('name="reference"', arch)  # in the popover

    def test_chatter_times_in_the_consultants_zone_and_the_readers_language(self):
        booking = self._book(utc(2026, 3, 3, 13, 0))
        # the lead's message about the new consultation: Berlin time, English reads month first and 12 hours
        self.assertIn("Tue, Mar 3, 2026, 2:00 PM (Europe/Berlin)", self.lead.message_ids[0].body)
        booking.with_context(lang="de_DE")._reschedule(utc(2026, 3, 4, 9, 0))
        body = self.lead.message_ids[0].body
        self.assertIn("Di., 3. März 2026, 14:00 (Europe/Berlin)", body)
        self.assertIn("Mi., 4. März 2026, 10:00 (Europe/Berlin)", body)
        self.assertNotIn("UTC", body)

    def test_install_language_loads_every_installed_modules_texts(self):
        Module = self.env["ir.module.module"]
        with patch.object(type(Module), "_update_translations", autospec=True) as update:
            self.env["voltaic.booking"]._install_language("de_DE")
        self.assertTrue(self.env["res.lang"]._lang_get("de_DE").active)
        (modules, langs), _kwargs = update.call_args
        self.assertEqual(langs, ["de_DE"])
        # Odoo's own modules too, not only this addon: the login page (web), CRM, calendar
        self.assertLessEqual({"base", "web", "crm", "calendar", "voltaic_booking"}, set(modules.mapped("name")))

    def test_analysis_opens_on_recent_weeks_per_consultant(self):
        action = self.env["ir.actions.actions"]._for_xml_id("voltaic_booking.voltaic_booking_report_action")
        context = action["context"]
        self.assertIn("'search_default_recent': 1", context)
        self.assertIn("'graph_groupbys': ['start:week', 'consultant_id']", context)
        search = self.env["voltaic.booking.report"].get_view(view_type="search")["arch"]
        # three months back and the coming month: the next consultations count too
        self.assertIn("('start', '&gt;=', 'today -90d'), ('start', '&lt;', 'today +31d')", search)
