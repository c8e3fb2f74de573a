"""What a consultant offers is data: duration lines, the meeting types of ``MEETING_TYPES``, installed languages."""

import ast

import psycopg2.errors

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, freeze_time, new_test_user
from odoo.tools import mute_logger

from ..exceptions import BookingValidationError
from ..models.consultant import MEETING_TYPES
from .common import NOW, VoltaicBookingCase, local

TUESDAY_10 = local("Europe/Berlin", 2027, 3, 2, 10, 0)
TUESDAY = (local("Europe/Berlin", 2027, 3, 2, 0, 0), local("Europe/Berlin", 2027, 3, 3, 0, 0))


@freeze_time(NOW)
class TestOfferedDurations(VoltaicBookingCase):
    """Durations are lines of the consultant: add one to offer it, archive it to stop offering it."""

    def line(self, minutes, consultant=None):
        return (consultant or self.consultant).duration_ids.filtered(lambda line: line.duration == minutes)

    def test_lines_drive_the_allowed_durations(self):
        self.assertEqual(self.consultant._allowed_durations(), [30, 60])
        self.consultant.write({"duration_ids": [Command.create({"duration": 90, "sequence": 1}),
                                                Command.create({"duration": 15, "sequence": 99})]})
        self.assertEqual(self.consultant._allowed_durations(), [15, 30, 60, 90], "sorted by length, not sequence")
        self.assertTrue(self._slots(self.consultant, *TUESDAY, duration=90))
        self.assertEqual(self.other_consultant._allowed_durations(), [30, 60], "each consultant has own lines")

    def test_an_archived_line_is_not_offered(self):
        self.line(60).active = False
        self.assertEqual(self.consultant._allowed_durations(), [30])
        self.assertEqual(self._slots(self.consultant, *TUESDAY, duration=60), [])
        self.assertTrue(self._slots(self.consultant, *TUESDAY, duration=30))
        with self.assertRaises(BookingValidationError) as caught:
            self._book(TUESDAY_10, duration=60)
        self.assertEqual(set(caught.exception.fields), {"duration"})
        self.line(60).active = True
        self.assertEqual(self._book(TUESDAY_10, duration=60).duration, 60)

    def test_a_new_consultant_offers_30_and_60_minutes_by_default(self):
        user = new_test_user(self.env, "vbt_dora", groups="voltaic_booking.group_user", name="VBT Dora Default")
        consultant = self.env["voltaic.consultant"].create({"name": user.name, "user_id": user.id})
        self.assertEqual(consultant._allowed_durations(), [30, 60])

    def test_a_consultant_keeps_at_least_one_duration(self):
        consultant = self._make_consultant("VBT Ona One", "vbt_ona", duration_ids=[Command.create({"duration": 45})])
        only = consultant.duration_ids
        for change in (lambda: only.write({"active": False}), only.unlink,
                       lambda: consultant.write({"duration_ids": [Command.clear()]})):
            with self.subTest(change=change), self.assertRaises(ValidationError):
                with self.env.cr.savepoint():
                    change()
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self._make_consultant("VBT Nadia None", "vbt_nadia", duration_ids=[])
        # from the form, lines are replaced in one save: the offer is judged once all are saved
        consultant.write({"duration_ids": [Command.delete(only.id), Command.create({"duration": 20})]})
        self.assertEqual(consultant._allowed_durations(), [20])
        consultant.write({"duration_ids": [Command.update(consultant.duration_ids.id, {"active": False}),
                                           Command.create({"duration": 40})]})
        self.assertEqual(consultant._allowed_durations(), [40])

    def test_the_form_edits_the_lines(self):
        with Form(self.consultant) as form:
            with form.duration_ids.new() as line:
                line.duration = 75
            with form.duration_ids.edit(0) as line:
                line.active = False
        self.assertEqual(self.consultant._allowed_durations(), [60, 75])

    @mute_logger("odoo.sql_db")
    def test_the_database_keeps_lengths_sane_and_unique(self):
        for minutes, error in ((0, psycopg2.errors.CheckViolation), (-15, psycopg2.errors.CheckViolation),
                               (8 * 60 + 1, psycopg2.errors.CheckViolation), (30, psycopg2.errors.UniqueViolation)):
            with self.subTest(minutes=minutes), self.assertRaises(error), self.env.cr.savepoint():
                self.env["voltaic.consultant.duration"].create({"consultant_id": self.consultant.id,
                                                                "duration": minutes})
        self.env["voltaic.consultant.duration"].create({"consultant_id": self.consultant.id, "duration": 8 * 60})

    def test_the_booking_page_offers_the_union_of_the_offered_durations(self):
        lines = self.env["voltaic.consultant.duration"]
        offered = set(lines._offered_durations())
        self.assertTrue({30, 60} <= offered)
        self.assertNotIn(95, offered)
        self.other_consultant.write({"duration_ids": [Command.create({"duration": 95})]})
        self.assertIn(95, lines._offered_durations())
        self.line(95, self.other_consultant).active = False
        self.assertNotIn(95, lines._offered_durations())
        self.assertIn(95, lines._offered_durations(archived=True), "the back office still shows booked lengths")


@freeze_time(NOW)
class TestMeetingTypes(VoltaicBookingCase):

    def test_meeting_types_are_defined_once(self):
        values = [value for value, _label, _icon in MEETING_TYPES]
        self.assertEqual(self.consultant._meeting_types(), values)
        for model in ("voltaic.booking", "voltaic.book.consultation"):
            self.assertEqual([value for value, _label in self.env[model]._fields["meeting_type"].selection], values)
        for value in values:
            self.assertIn(f"offers_{value}", self.consultant._fields)
        self.consultant.offers_phone = False
        self.assertEqual(self.consultant._meeting_types(), ["video", "in_person"])
        with self.assertRaises(ValidationError):
            self.consultant.write({f"offers_{value}": False for value in values})


@freeze_time(NOW)
class TestLanguages(VoltaicBookingCase):
    """Clients choose among the installed languages, by short code; English and German keep ``en`` and ``de``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("de_DE")

    def test_installed_languages_are_the_choices(self):
        bookings = self.env["voltaic.booking"]
        choices = dict(bookings._lang_selection())
        self.assertEqual((choices["en"], choices["de"]), ("English", "German"))
        self.assertEqual(set(choices), set(bookings._installed_langs()))
        self.assertEqual(list(choices.values()), sorted(choices.values()))
        self.assertEqual((bookings._lang_code("en"), bookings._lang_code("de")), ("en_US", "de_DE"))
        self.assertEqual(bookings._lang_code("xx"), "en_US")
        self.assertEqual(dict(bookings.with_context(lang="de_DE")._lang_selection())["en"], "Englisch")

        with self.assertRaises(BookingValidationError) as caught:
            self._book(TUESDAY_10, language="xx")
        self.assertEqual(caught.exception.fields["language"],
                         f"Choose one of: {', '.join(choices.values())}.")
        self.assertIn("English, German", caught.exception.fields["language"])

    def test_a_third_language_works_by_installing_it(self):
        with self.assertRaises(BookingValidationError) as caught:
            self._book(TUESDAY_10, language="fr")
        self.assertIn("language", caught.exception.fields)
        self.env["res.lang"]._activate_lang("fr_FR")
        french = self.env.ref("base.lang_fr")
        self.assertEqual(dict(self.env["voltaic.booking"]._lang_selection())["fr"], "French")
        domain = ast.literal_eval(self.consultant._fields["language_ids"].domain)
        self.assertIn(french, self.env["res.lang"].search(domain), "consultants can speak any installed language")
        self.consultant.language_ids = [Command.link(french.id)]
        self.assertIn("fr", self.consultant._language_codes())

        booking = self._book(TUESDAY_10, language="fr", email="amelie.martin@vbt-client.example")
        self.assertEqual(booking.language, "fr")
        self.assertEqual(booking.partner_id.lang, "fr_FR")
        self.assertEqual(booking._mail_lang(), "fr_FR")
