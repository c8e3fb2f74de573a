"""Client self-service: the manage page behind every e-mail's link, the feedback page and "My consultations".

Access is the booking's token (compared in constant time) or, for a
logged-in client, owning the booking. Anything else is a plain 404 that says
nothing about the booking. Routes parse input and call the booking's own
methods (``action_cancel``, ``_reschedule``, the booking service); no
booking logic lives here.
"""

import json
import logging
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from odoo import fields, http
from odoo.exceptions import UserError
from odoo.http import request

from ..exceptions import BookingValidationError, SlotUnavailableError
from ..lib import slots as slot_lib
from odoo.addons.portal.controllers.portal import CustomerPortal

UTC = timezone.utc

_logger = logging.getLogger(__name__)

REASON_MAX = 1000
FEEDBACK_MAX = 5000
NOTICES = ("cancelled", "rescheduled", "rebooked", "feedback")
# pages of one client's booking: never indexed, never cached
PRIVATE_HEADERS = {"X-Robots-Tag": "noindex", "Cache-Control": "no-store"}


class BookingSelfService(CustomerPortal):

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def _booking_sudo(self, reference, token=None):
        """The booking (sudo) the visitor may manage, or raise a 404.

        With the right token, anyone; without it, only the logged-in client
        who owns it (their commercial partner).
        """
        if token:
            booking = request.env["voltaic.booking"]._from_token(reference, token)
            if booking:
                return booking
        booking = request.env["voltaic.booking"].sudo().search([("reference", "=", reference or "")], limit=1)
        if booking:
            user = request.env.user
            if not token and not user._is_public() and booking.partner_id and \
                    booking.partner_id.commercial_partner_id == user.partner_id.commercial_partner_id:
                return booking
        raise request.not_found()

    @staticmethod
    def _token(kwargs):
        return kwargs.get("token") or kwargs.get("access_token") or None

    def _manage_path(self, booking, token=None, **params):
        query = {"token": token} if token else {}
        query.update({key: value for key, value in params.items() if value})
        suffix = f"?{urlencode(query)}" if query else ""
        return f"/book-consultation/manage/{booking.reference}{suffix}"

    # ------------------------------------------------------------------
    # The manage page
    # ------------------------------------------------------------------

    def _manage_values(self, booking, token, **extra):
        now = fields.Datetime.now()
        consultant = booking.consultant_id
        zone = booking._mail_tz()
        values = {
            "booking": booking,
            "consultant": consultant,
            "token": token,
            "links": booking._mail_links(),
            "when": booking._mail_when(),
            "when_consultant": booking._mail_when("consultant") if (consultant.tz or "UTC") != zone else "",
            "client_tz": zone,
            "can_edit": booking._client_can_edit(now),
            "external_reschedule_url": booking._external_reschedule_url() or "",
            "deadline_passed": booking.state == "confirmed" and not booking._client_can_edit(now)
            and booking.start > now,
            "deadline_text": booking._mail_edit_deadline_text(),
            "can_rebook": booking.state == "no_show",
            "can_give_feedback": booking.state == "completed",
            "consultant_email": consultant.user_id.email or consultant.partner_id.email or "",
            "consultant_phone": consultant.partner_id.phone or consultant.company_id.phone or "",
            "post_url": f"/book-consultation/manage/{booking.reference}",
            # the booking page's picker: the page's language, the consultant's last bookable day
            "page_language": (request.lang.code or "en_US").split("_")[0] if request.lang else "en",
            "last_day": (datetime.now(UTC) + timedelta(days=consultant.max_advance_days)).astimezone(
                consultant._zone()).date().isoformat(),
            "book_again_url": f"/book-consultation/{request.env['ir.http']._slug(consultant)}"
            if consultant._is_bookable() else "/book-consultation",
            "notice": None,
            "error": None,
            "alternatives": [],
            "reason": "",
        }
        values.update(extra)
        return values

    def _render_manage(self, booking, token, status=200, **extra):
        return request.render("voltaic_booking.manage_booking_page", self._manage_values(booking, token, **extra),
                              status=status, headers=PRIVATE_HEADERS)

    @http.route("/book-consultation/manage/<string:reference>", type="http", auth="public", website=True,
                sitemap=False, methods=["GET"])
    def manage_booking(self, reference, notice=None, **kwargs):
        token = self._token(kwargs)
        booking = self._booking_sudo(reference, token)
        return self._render_manage(booking, token, notice=notice if notice in NOTICES else None)

    @http.route("/book-consultation/manage/<string:reference>/cancel", type="http", auth="public", website=True,
                sitemap=False, methods=["POST"])
    def cancel_booking(self, reference, reason="", **kwargs):
        token = self._token(kwargs)
        booking = self._booking_sudo(reference, token)
        reason = (reason or "").strip()[:REASON_MAX]
        if not booking._client_can_edit():
            return self._render_manage(booking, token, status=409, error=request.env._(
                "This booking can no longer be cancelled online."))
        try:
            # the client's own cancellation: extensions may apply their own policy (voltaic_client_cancel)
            booking.with_context(voltaic_client_cancel=True).action_cancel(reason=reason or None)
        except UserError as error:
            return self._render_manage(booking, token, status=409, error=error.args[0])
        return request.redirect(self._manage_path(booking, token, notice="cancelled"))

    @http.route("/book-consultation/manage/<string:reference>/reschedule", type="http", auth="public",
                website=True, sitemap=False, methods=["POST"])
    def reschedule_booking(self, reference, start=None, **kwargs):
        token = self._token(kwargs)
        booking = self._booking_sudo(reference, token)
        if not booking._client_can_edit():
            return self._render_manage(booking, token, status=409, error=request.env._(
                "This booking can no longer be moved online."))
        new_start = self._parse_start(start)
        if not new_start:
            return self._render_manage(booking, token, status=422, error=request.env._("Choose a new time."))
        try:
            booking._reschedule(new_start)
        except SlotUnavailableError as error:
            return self._render_manage(
                booking, token, status=409, error=request.env._(
                    "Sorry, this time was just taken. Nothing has changed: your booking keeps its time. "
                    "Choose another time:"),
                alternatives=self._alternatives_payload(booking, error.alternatives))
        except (BookingValidationError, UserError) as error:
            message = "; ".join(error.fields.values()) if isinstance(error, BookingValidationError) else error.args[0]
            return self._render_manage(booking, token, status=422, error=message)
        return request.redirect(self._manage_path(booking, token, notice="rescheduled"))

    @http.route("/book-consultation/manage/<string:reference>/rebook", type="http", auth="public", website=True,
                sitemap=False, methods=["POST"])
    def rebook(self, reference, start=None, **kwargs):
        """A client who missed the meeting picks a new time: a new booking, for the same opportunity."""
        token = self._token(kwargs)
        booking = self._booking_sudo(reference, token)
        if booking.state != "no_show":
            raise request.not_found()
        new_start = self._parse_start(start)
        if not new_start:
            return self._render_manage(booking, token, status=422, error=request.env._("Choose a new time."))
        try:
            new_booking = booking._rebook(new_start)
        except SlotUnavailableError as error:
            return self._render_manage(
                booking, token, status=409,
                error=request.env._("Sorry, this time was just taken. Choose another time:"),
                alternatives=self._alternatives_payload(booking, error.alternatives))
        except BookingValidationError as error:
            return self._render_manage(booking, token, status=422, error="; ".join(error.fields.values()))
        new_token = new_booking.access_token if token else None
        return request.redirect(self._manage_path(new_booking, new_token, notice="rebooked"))

    @staticmethod
    def _parse_start(value):
        if not isinstance(value, str) or not value.strip():
            return None
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)

    def _alternatives_payload(self, booking, alternatives):
        """Alternative slots as the page shows them: the UTC value posted back and a label in the client's zone."""
        result = []
        for start, end in alternatives or []:
            naive_start = start.astimezone(UTC).replace(tzinfo=None)
            label = booking._mail_when(start=naive_start)
            result.append({"start": slot_lib.to_utc_iso(start), "end": slot_lib.to_utc_iso(end), "label": label})
        return result

    # ------------------------------------------------------------------
    # Feedback
    # ------------------------------------------------------------------

    @http.route("/book-consultation/data/<string:reference>", type="http", auth="public", website=True,
                sitemap=False, methods=["GET"])
    def download_client_data(self, reference, **kwargs):
        """"Download my data": everything we hold on the client of this booking, as a JSON file."""
        booking = self._booking_sudo(reference, self._token(kwargs))
        content = json.dumps(booking._client_data(), indent=2, ensure_ascii=False)
        return request.make_response(content, headers=[
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Disposition", f'attachment; filename="consultation-data-{booking.reference}.json"'),
            *PRIVATE_HEADERS.items(),
        ])

    @http.route("/book-consultation/erase/<string:reference>", type="http", auth="public", website=True,
                sitemap=False, methods=["GET", "POST"])
    def erase_client_data(self, reference, **kwargs):
        """"Erase my data": a page that asks, then erases on a POST (a link checker changes nothing)."""
        token = self._token(kwargs)
        booking = self._booking_sudo(reference, token)
        if request.httprequest.method == "POST":
            booking._erase_client_data()
            return request.render("voltaic_booking.client_data_erased_page", {}, headers=PRIVATE_HEADERS)
        return request.render("voltaic_booking.client_data_erase_page", {"booking": booking, "token": token},
                              headers=PRIVATE_HEADERS)

    @http.route("/book-consultation/marketing/<string:reference>", type="http", auth="public", website=True,
                sitemap=False, methods=["GET", "POST"])
    def marketing_consent(self, reference, **kwargs):
        """The link in the client's e-mails: a page that withdraws the marketing consent on a POST (a link
        checker that follows the link changes nothing)."""
        token = self._token(kwargs)
        booking = self._booking_sudo(reference, token)
        if request.httprequest.method == "POST" and booking.marketing_consent:
            booking._withdraw_marketing_consent()
        return request.render("voltaic_booking.marketing_consent_page", {
            "booking": booking, "token": token, "withdrawn": not booking.marketing_consent,
        }, headers=PRIVATE_HEADERS)

    @http.route("/book-consultation/feedback/<string:reference>", type="http", auth="public", website=True,
                sitemap=False, methods=["GET"])
    def feedback(self, reference, rating=None, **kwargs):
        token = self._token(kwargs)
        booking = self._booking_sudo(reference, token)
        return self._render_feedback(booking, token, rating=self._parse_rating(rating) or booking.rating or 0,
                                     notice=kwargs.get("notice") == "feedback")

    @http.route("/book-consultation/feedback/<string:reference>", type="http", auth="public", website=True,
                sitemap=False, methods=["POST"])
    def feedback_submit(self, reference, rating=None, feedback="", **kwargs):
        token = self._token(kwargs)
        booking = self._booking_sudo(reference, token)
        rating = self._parse_rating(rating)
        if booking.state != "completed":
            return self._render_feedback(booking, token, status=409, rating=rating or 0, error=request.env._(
                "Feedback opens once the consultation has taken place."))
        if not rating:
            return self._render_feedback(booking, token, status=422, rating=0, feedback=feedback,
                                         error=request.env._("Choose a rating from 1 to 5."))
        booking._record_feedback(rating, (feedback or "").strip()[:FEEDBACK_MAX])
        query = {"token": token, "notice": "feedback"} if token else {"notice": "feedback"}
        return request.redirect(f"/book-consultation/feedback/{booking.reference}?{urlencode(query)}")

    def _render_feedback(self, booking, token, status=200, **extra):
        values = {
            "booking": booking,
            "token": token,
            "when": booking._mail_when(),
            "rating": 0,
            "feedback": booking.feedback or "",
            "notice": False,
            "error": None,
            "manage_url": self._manage_path(booking, token),
        }
        values.update(extra)
        return request.render("voltaic_booking.feedback_page", values, status=status, headers=PRIVATE_HEADERS)

    @staticmethod
    def _parse_rating(value):
        try:
            rating = int(value)
        except (TypeError, ValueError):
            return None
        return rating if 1 <= rating <= 5 else None

    # ------------------------------------------------------------------
    # Portal: My consultations
    # ------------------------------------------------------------------

    def _consultations_domain(self):
        partner = request.env.user.partner_id.commercial_partner_id
        return [("partner_id", "child_of", partner.id)]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "consultation_count" in counters:
            values["consultation_count"] = request.env["voltaic.booking"].sudo().search_count(
                self._consultations_domain())
        return values

    @http.route("/my/consultations", type="http", auth="user", website=True, methods=["GET"])
    def portal_my_consultations(self, **kwargs):
        now = fields.Datetime.now()
        bookings = request.env["voltaic.booking"].sudo().search(self._consultations_domain(), order="start desc")
        upcoming = bookings.filtered(lambda b: b.state == "confirmed" and b.stop > now).sorted("start")
        values = self._prepare_portal_layout_values()
        values.update({
            "page_name": "consultations",
            "upcoming": upcoming,
            "past": bookings - upcoming,
            "now": now,
        })
        return request.render("voltaic_booking.portal_my_consultations", values)
