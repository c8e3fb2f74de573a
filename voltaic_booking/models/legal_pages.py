from odoo import api, models

# the legal pages the addon ships, with the system parameter that links the booking form to each
LEGAL_PAGES = {
    "terms": ("voltaic_booking.terms_url", "voltaic_booking.page_consultation_terms"),
    "privacy": ("voltaic_booking.privacy_url", "voltaic_booking.page_consultation_privacy"),
}


class VoltaicBookingLegalPages(models.AbstractModel):
    """The shipped terms and privacy pages: example text until a website editor replaces it."""

    _name = "voltaic.booking.legal.pages"
    _description = "Consultation Legal Pages"

    @api.model
    def _examples_in_use(self):
        """``["terms", "privacy"]``: the shipped pages the booking form still links to, unchanged.

        A page counts as replaced once its text was edited (on any website) or the form links to
        another page (system parameters ``voltaic_booking.terms_url`` / ``privacy_url``).
        """
        params = self.env["ir.config_parameter"].sudo()
        in_use = []
        for name, (param, page_xmlid) in LEGAL_PAGES.items():
            page = self.env.ref(page_xmlid, raise_if_not_found=False)
            if not page:
                continue
            page = page.sudo()
            if (params.get_param(param) or "") != page.url:
                continue
            versions = self.env["ir.ui.view"].sudo().with_context(active_test=False).search([("key", "=", page.key)])
            if not any(versions.mapped("arch_updated")):
                in_use.append(name)
        return in_use

    @api.model
    def _warning(self):
        """For managers: which example pages are still in use, and what to do; empty when none is."""
        labels = {"terms": self.env._("terms and conditions"), "privacy": self.env._("privacy policy")}
        in_use = self._examples_in_use()
        if not in_use:
            return ""
        return self.env._(
            "The booking form still links to the example %(pages)s shipped with Consultations. Replace their "
            "text in the website editor, or link your own pages in Settings, before clients book.",
            pages=self.env._(" and ").join(labels[name] for name in in_use))
