"""The German catalogue of this addon (i18n/de.po) covers every one of its translatable texts."""

from odoo.tests import TransactionCase, tagged

from odoo.addons.voltaic_booking.tests.test_translations import GermanCatalogueMixin


@tagged("post_install", "-at_install")
class TestGermanCatalogue(GermanCatalogueMixin, TransactionCase):
    addon = "voltaic_booking_calendly"
    min_terms = 120
