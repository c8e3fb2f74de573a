"""The German catalogue (i18n/de.po) covers every translatable text of the addon.

``GermanCatalogueMixin`` is shared with the companion addons: each checks its own catalogue.

The terms are read from the installed module exactly as ``odoo-bin i18n export``
reads them (Python and JS code, views, website pages, mail templates, fields,
selections, menus), so a string added without its German translation fails here.
"""

import re

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools import file_open
from odoo.tools.translate import TranslationModuleReader, translation_file_reader

# texts that read the same in German: times, addresses, URLs, technical names
SAME_IN_GERMAN = re.compile(
    r"^(\d\d:\d\d|[\w.+-]+@[\w.-]+|https?://\S+|duration|last_name"
    r"|\.\s*<span class=\"text-danger\" aria-hidden=\"true\">\*</span>)$"
)


class GermanCatalogueMixin:
    """Every term of ``addon`` has a German translation in its own ``i18n/de.po``."""

    addon = "voltaic_booking"
    min_terms = 900  # the reader really found the addon's terms

    def _german(self):
        with file_open(f"{self.addon}/i18n/de.po", "rb") as po_file:
            return {entry["src"]: entry["value"] for entry in translation_file_reader(po_file, fileformat="po")}

    def test_every_term_has_a_german_translation(self):
        german = self._german()
        terms = {source for _module, _type, _name, _res_id, source, _value, _comments
                 in TranslationModuleReader(self.env.cr, [self.addon]) if source}
        self.assertGreater(len(terms), self.min_terms, "the reader found the addon's terms")
        missing = sorted(term for term in terms if not german.get(term) and not SAME_IN_GERMAN.match(term))
        self.assertFalse(missing, "texts without German translation (export the .pot and complete i18n/de.po)")

    def test_every_entry_names_its_module(self):
        """Odoo's loader reads each entry's addon from its ``#. module:`` comment: without it, installing or
        updating the addon in a database with German fails."""
        for name in ("de.po", f"{self.addon}.pot"):
            with file_open(f"{self.addon}/i18n/{name}", "rb") as po_file:
                entries = polib.pofile(po_file.read().decode())
            nameless = [entry.msgid[:60] for entry in entries
                        if not re.match(r"modules?: \w+", entry.comment or "")]
            self.assertFalse(nameless, f"{name}: entries without '#. module: {self.addon}'")

    def test_placeholders_survive_translation(self):
        """A German text keeps the placeholders of its source, or formatting it would fail at runtime."""
        placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]")
        wrong = [(source, value) for source, value in self._german().items()
                 if value and sorted(placeholder.findall(source)) != sorted(placeholder.findall(value))]
        self.assertFalse(wrong)


@tagged("post_install", "-at_install")
class TestGermanCatalogue(GermanCatalogueMixin, TransactionCase):
    pass
