"""The shipped terms and privacy pages hold example text: only website editors see the note that says so,
and managers are warned (Settings, Overview) until each page is replaced or another page is linked."""

from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestExampleLegalPages(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.legal = cls.env["voltaic.booking.legal.pages"]
        cls.terms_page = cls.env.ref("voltaic_booking.page_consultation_terms")
        cls.privacy_page = cls.env.ref("voltaic_booking.page_consultation_privacy")
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("voltaic_booking.terms_url", cls.terms_page.url)
        params.set_param("voltaic_booking.privacy_url", cls.privacy_page.url)

    def settings_warning(self):
        return self.env["res.config.settings"].create({}).voltaic_legal_warning

    def overview_warnings(self):
        self.env.invalidate_all()  # a new request reads them anew
        kpis = self.env["voltaic.booking.kpi"].search([])
        return {kpi.is_total: kpi.legal_warning for kpi in kpis}

    def test_managers_are_warned_until_both_pages_are_replaced(self):
        self.assertEqual(self.legal._examples_in_use(), ["terms", "privacy"])
        warning = self.settings_warning()
        self.assertIn("example terms and conditions and privacy policy", warning)
        self.assertEqual(self.overview_warnings(), {True: warning, False: False})

        # an editor replaces the terms' text in the website editor
        self.terms_page.arch = self.terms_page.arch.replace(
            "Terms and conditions for consultations", "Terms of Voltaic Energy GmbH")
        self.assertEqual(self.legal._examples_in_use(), ["privacy"])
        self.assertIn("example privacy policy", self.settings_warning())
        self.assertNotIn("terms", self.settings_warning())

        # the form links to the company's own privacy page (Settings)
        settings = self.env["res.config.settings"].create({"voltaic_privacy_url": "/privacy"})
        settings.execute()
        self.assertEqual(self.legal._examples_in_use(), [])
        self.assertFalse(self.settings_warning())
        self.assertEqual(self.overview_warnings(), {True: False, False: False})

    def test_only_website_editors_see_the_example_note(self):
        note = "Example text: replace it with your company"
        page = self.url_open(self.terms_page.url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Terms and conditions for consultations", page.text)
        self.assertNotIn(note, page.text, "a visitor sees the terms only")
        self.authenticate("admin", "admin")
        self.assertIn(note, self.url_open(self.terms_page.url).text)
        self.assertIn(note, self.url_open(self.privacy_page.url).text)
        self.terms_page.arch = self.terms_page.arch.replace(
            "Terms and conditions for consultations", "Terms of Voltaic Energy GmbH")
        replaced = self.url_open(self.terms_page.url).text
        self.assertIn("Terms of Voltaic Energy GmbH", replaced)
        self.assertNotIn(note, replaced, "once replaced, the note is gone")
