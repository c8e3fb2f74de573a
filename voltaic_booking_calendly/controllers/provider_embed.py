"""Linked scheduling: a consultant who books through Calendly or Cal.com.

``/book-consultation/<consultant>/schedule`` shows the provider's booking page
for that consultant, prefilled with what the client already entered (query
parameters ``name``, ``first_name``, ``last_name``, ``email``, ``phone``,
``company``, ``message``); for a logged-in client, their name, e-mail, phone and company fill what
the parameters leave out. The booking comes back through the webhook.
"""

from urllib.parse import urlsplit

from odoo import http
from odoo.http import request

PREFILL_KEYS = ("name", "first_name", "last_name", "email", "phone", "company", "message")
PREFILL_MAX = 500


class ProviderSchedulingPage(http.Controller):

    @http.route("/book-consultation/<string:slug>/schedule", type="http", auth="public", website=True,
                sitemap=False, readonly=True)
    def provider_schedule(self, slug, **params):
        _name, consultant_id = request.env["ir.http"]._unslug(slug)
        consultant = request.env["voltaic.consultant"].sudo().browse(consultant_id or 0).exists()
        if not consultant or not consultant.active or not consultant.scheduling_provider:
            raise request.not_found()
        prefill = {key: str(params[key])[:PREFILL_MAX] for key in PREFILL_KEYS if params.get(key)}
        if not request.env.user._is_public():
            # a logged-in client: what we know of them, unless the link says otherwise
            partner = request.env.user.partner_id
            known = {"name": partner.name, "email": partner.email, "phone": partner.phone,
                     "company": partner.commercial_company_name or partner.company_name}
            prefill = {**{key: str(value)[:PREFILL_MAX] for key, value in known.items() if value}, **prefill}
        if not prefill.get("name") and (prefill.get("first_name") or prefill.get("last_name")):
            prefill["name"] = " ".join(filter(None, [prefill.get("first_name"), prefill.get("last_name")]))
        embed_domain = urlsplit(request.httprequest.host_url).hostname
        return request.render("voltaic_booking_calendly.provider_scheduling_page", {
            "consultant": consultant,
            "embed_url": consultant._scheduling_embed_url(prefill, embed_domain),
            "provider_label": dict(consultant._fields["scheduling_provider"]._description_selection(
                request.env)).get(consultant.scheduling_provider),
        })
