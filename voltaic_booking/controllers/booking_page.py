"""The public booking page on the website: /book-consultation.

Four steps: consultant, date and time, details (one page, behaviour in the
``voltaic_booking.booking_wizard`` interaction), then the confirmation page.
Slots load from the JSON API (``/api/consultations/slots``); bookings go
through the booking service (``voltaic.booking._book``). No booking logic
here: routes parse, check access and render.
"""

import logging
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from babel import dates as babel_dates

from odoo import http
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.http import request
from odoo.tools import html2plaintext
from odoo.tools.misc import babel_locale_parse, get_lang

from ..exceptions import BookingBusyError, BookingValidationError, SlotUnavailableError
from ..lib import calendar_links, zone_names
from ..lib import slots as slot_lib
from ..models.consultant import MEETING_TYPE_ICONS
from .api import BookingApi
from .booking_service import book_in_request

UTC = timezone.utc

_logger = logging.getLogger(__name__)

# today, the rest of this week and all of next week, in any time zone
FILTER_WINDOW_DAYS = 15
BIO_EXCERPT_CHARS = 180
HONEYPOT_FIELD = "vb_contact_me_by_fax"
CAPTCHA_ACTION = "voltaic_booking"
FORM_TEXT_FIELDS = (
    "first_name", "last_name", "email", "phone", "company", "website", "position", "subject", "message",
    "language", "meeting_type",
)
FORM_CONSENTS = ("terms_accepted", "privacy_accepted", "marketing_consent")


def _sitemap_consultants(env, rule, qs):
    if not qs or qs.lower() in "/book-consultation":
        yield {"loc": "/book-consultation"}
    consultants = env["voltaic.consultant"].sudo().search([("is_accepting_bookings", "=", True)])
    for consultant in consultants:
        loc = f"/book-consultation/{env['ir.http']._slug(consultant)}"
        if not qs or qs.lower() in loc:
            yield {"loc": loc}


class BookingPage(http.Controller):

    # ------------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------------

    @http.route("/book-consultation", type="http", auth="public", website=True, readonly=True,
                sitemap=_sitemap_consultants)
    def index(self, consultant=None, expertise=None, language=None, meeting_type=None, when=None, **kwargs):
        """Step 1 (the consultants), with steps 2 and 3 ready on the same page."""
        consultants = self._public_consultants()
        cards = self._consultant_cards(consultants)
        filters = self._filters(cards, expertise=expertise, language=language, meeting_type=meeting_type,
                                when=when)
        for card in cards:
            card["hidden"] = not self._card_matches(card, filters)
        preselected = self._find_card(cards, consultant)
        return request.render("voltaic_booking.booking_page", {
            **self._wizard_values(),
            "cards": cards,
            "filters": filters,
            "preselected": preselected if preselected and preselected["bookable"] else None,
        })

    @http.route("/book-consultation/<string:slug>", type="http", auth="public", website=True, readonly=True,
                sitemap=False)
    def profile(self, slug, **kwargs):
        """A consultant's profile, with the booking steps 2 and 3 for them."""
        _name, consultant_id = request.env["ir.http"]._unslug(slug)
        consultant = request.env["voltaic.consultant"].sudo().browse(consultant_id or 0).exists()
        if not consultant or not consultant.active:
            raise request.not_found()
        canonical = request.env["ir.http"]._slug(consultant)
        if slug != canonical:
            query = request.httprequest.query_string.decode()
            return request.redirect(f"/book-consultation/{canonical}" + (f"?{query}" if query else ""), code=301)
        card = self._consultant_cards(consultant)[0]
        return request.render("voltaic_booking.booking_profile", {
            **self._wizard_values(),
            "card": card,
            "bio": consultant.bio,
            "linkedin_url": consultant.linkedin_url if (consultant.linkedin_url or "").startswith("https://") else "",
        })

    @http.route("/book-consultation/confirmed/<string:reference>", type="http", auth="public", website=True,
                readonly=True, sitemap=False)
    def confirmed(self, reference, token=None, **kwargs):
        """Step 4: the booking, for whoever holds its access token."""
        booking = self._booking_by_token(reference, token)
        if not booking:
            raise request.not_found()
        redirect_path = booking._client_redirect_path(token)
        if redirect_path:
            # not booked (yet): an extension's step says where it stands
            return request.redirect(redirect_path)
        return request.render("voltaic_booking.booking_confirmed", self._confirmation_values(booking))

    # ------------------------------------------------------------------
    # The booking form (step 3)
    # ------------------------------------------------------------------

    @http.route("/book-consultation/submit", type="http", auth="public", methods=["POST"], website=True,
                sitemap=False)
    def submit(self, **post):
        """Book through the booking service; answers JSON for the page's script.

        201 ``{reference, redirect_url}``; 409 ``slot_unavailable`` with
        ``alternatives``; 422 ``validation`` with ``fields``; 403 ``captcha``;
        429 ``rate_limited``; 400 ``rejected`` (honeypot); 503 ``busy`` with
        ``Retry-After`` when concurrent requests kept conflicting.
        """
        env = request.env
        if not env["voltaic.request.throttle"]._hit(f"web:{request.httprequest.remote_addr or 'unknown'}"):
            return self._json_error(429, "rate_limited", env._("Too many requests, please wait a minute."))
        if post.get(HONEYPOT_FIELD):
            _logger.info("Booking form: honeypot filled, request ignored")
            return self._json_error(400, "rejected", env._("Your request could not be processed."))
        try:
            env["ir.http"]._verify_request_recaptcha_token(CAPTCHA_ACTION)
        except UserError as error:
            return self._json_error(403, "captcha", error.args[0] if error.args else env._("Please try again."))

        values, errors = self._parse_form(post)
        if errors:
            try:
                env["voltaic.booking"].sudo()._validate_booking_values(values)
            except BookingValidationError as error:
                errors = {**error.fields, **errors}
            return self._json_error(422, "validation", env._("Please check the highlighted fields."), fields=errors)
        try:
            booking = self._book_from_form(values, post)
        except BookingBusyError as error:
            return self._json_error(503, "busy", error.args[0], headers=[("Retry-After", str(error.retry_after))])
        except BookingValidationError as error:
            return self._json_error(422, "validation", env._("Please check the highlighted fields."),
                                    fields=error.fields)
        except SlotUnavailableError as error:
            zone = ZoneInfo(values["client_tz"]) if slot_lib.is_valid_timezone(values["client_tz"]) else UTC
            return self._json_error(409, "slot_unavailable", error.args[0],
                                    alternatives=self._slot_payload(error.alternatives, zone))
        token = booking._portal_ensure_token()
        redirect_url = env["ir.http"]._url_for(
            booking._client_redirect_path(token) or f"/book-consultation/confirmed/{booking.reference}?token={token}")
        return request.make_json_response({"reference": booking.reference, "redirect_url": redirect_url}, status=201)

    def _book_from_form(self, values, post):
        """Book the form's parsed ``values`` (``post``: the raw form, for the page's variants such as a
        personal booking link) through the booking service."""
        return book_in_request(request, request.env, values)

    # ------------------------------------------------------------------
    # Helpers: consultants
    # ------------------------------------------------------------------

    def _public_consultants(self):
        return request.env["voltaic.consultant"].sudo().search([])

    def _consultant_cards(self, consultants):
        """Public card data of ``consultants`` (no e-mail, user, partner or buffers), in a fixed number of queries."""
        env = request.env
        availability = self._availability(consultants)
        with_photo = self._with_photo(consultants)
        lang_labels = self._language_labels()
        locale = self._locale()
        now = datetime.now(UTC)
        cards = []
        for consultant in consultants:
            bookable = consultant._is_bookable()
            free = availability.get(consultant.id, {})
            next_slot = free.get("next")
            zone = consultant._zone()
            bio = html2plaintext(consultant.bio or "").strip()
            if len(bio) > BIO_EXCERPT_CHARS:
                bio = bio[:BIO_EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"
            languages = consultant._language_codes()
            meeting_types = consultant._meeting_types() if bookable else []
            cards.append({
                "id": consultant.id,
                "name": consultant.name,
                "initials": self._initials(consultant.name),
                "title": consultant.job_title or "",
                "photo_url": self._photo_url(consultant) if consultant.id in with_photo else "",
                "profile_url": f"/book-consultation/{env['ir.http']._slug(consultant)}",
                "schedule_url": (consultant._external_schedule_url() or "") if consultant.active else "",
                "expertise": [(tag.id, tag.name) for tag in consultant.expertise_ids],
                "languages": [(code, lang_labels.get(code, code)) for code in languages],
                "language_codes": languages,
                "bio_excerpt": bio,
                "tz": consultant.tz or "UTC",
                "durations": consultant._allowed_durations() if bookable else [],
                "meeting_types": meeting_types,
                "accepting": bookable,
                "bookable": bookable and bool(next_slot),
                "next_available": next_slot,
                "next_available_iso": slot_lib.to_utc_iso(next_slot) if next_slot else "",
                "next_available_label": self._format_slot(next_slot, zone, locale) if next_slot else "",
                "free_ranges": free.get("ranges", ""),
                "last_day": (now + timedelta(days=consultant.max_advance_days)).astimezone(zone).date().isoformat(),
                "next_available_zone": zone_names.zone_label(zone.key, next_slot, locale) if next_slot else "",
                "edit_deadline_hours": max(consultant.edit_deadline_hours, 0),
                "required_details": consultant.required_detail_ids.mapped("code"),
            })
            cards[-1]["data_attrs"] = self._card_data_attrs(cards[-1])
        return cards

    @staticmethod
    def _initials(name):
        return "".join(part[:1] for part in (name or "").split()[:2]).upper()

    @staticmethod
    def _with_photo(consultants):
        """Ids of the consultants who have a picture (else the page shows their initials), in one query."""
        attachments = request.env["ir.attachment"].sudo().search_fetch([
            ("res_model", "=", "voltaic.consultant"),
            ("res_field", "=", "image_128"),
            ("res_id", "in", consultants.ids),
        ], ["res_id"])
        return set(attachments.mapped("res_id"))

    @staticmethod
    def _photo_url(consultant):
        """The public photo route (it answers only for consultants accepting bookings)."""
        return f"/api/consultations/consultants/{consultant.id}/photo" if consultant.is_accepting_bookings else ""

    @classmethod
    def _card_data_attrs(cls, card):
        """What the page's script reads from a card: public profile and booking options only."""
        return {
            "data-vbw-consultant": card["id"],
            "data-name": card["name"],
            "data-title": card["title"],
            "data-initials": card["initials"],
            "data-photo": card["photo_url"],
            "data-profile-url": card["profile_url"],
            "data-tz": card["tz"],
            **cls._card_option_attrs(card),
            "data-edit-deadline-hours": card["edit_deadline_hours"],
            "data-required-details": ",".join(card["required_details"]),
        }

    @staticmethod
    def _card_option_attrs(card):
        """The booking options of a card (a consultant's or a team's): what the filters and step 2 read."""
        return {
            "data-durations": ",".join(str(minutes) for minutes in card["durations"]),
            "data-meeting-types": ",".join(card["meeting_types"]),
            "data-languages": ",".join(card["language_codes"]),
            "data-expertise": ",".join(str(tag_id) for tag_id, _name in card["expertise"]),
            "data-next": card["next_available_iso"],
            "data-free": card["free_ranges"],
            "data-last-day": card["last_day"],
            "data-bookable": "1" if card["bookable"] else "0",
        }

    def _availability(self, consultants):
        """Next free slot and free ranges of the next days per consultant, batched.

        One ``_get_slots`` call per shortest duration over the filter window
        (today, this week, next week); ``_next_available`` looks further
        only for consultants without a slot in that window.
        """
        now = datetime.now(UTC)
        bookable = consultants.filtered(lambda consultant: consultant._is_bookable())
        by_duration = defaultdict(consultants.browse)
        for consultant in bookable:
            by_duration[consultant._allowed_durations()[0]] |= consultant
        result = {}
        for minutes, group in by_duration.items():
            for consultant_id, free in group._get_slots(
                    now, now + timedelta(days=FILTER_WINDOW_DAYS), minutes, now=now).items():
                if free:
                    result[consultant_id] = {"next": free[0][0], "ranges": self._free_ranges(free)}
        later = bookable.filtered(lambda consultant: consultant.id not in result)
        if later:
            for consultant_id, next_slot in later._next_available(now=now).items():
                if next_slot:
                    result[consultant_id] = {"next": next_slot, "ranges": ""}
        return result

    @staticmethod
    def _free_ranges(free):
        """Runs of back-to-back slot starts as ``"first-last"`` epoch minutes, space separated.

        The page filters "available today / this week / next week" in the
        visitor's own time zone from these runs.
        """
        runs = []
        for start, end in free:
            if runs and start <= runs[-1][2]:
                runs[-1][1:] = [start, end]
            else:
                runs.append([start, start, end])
        return " ".join(f"{int(first.timestamp()) // 60}-{int(last.timestamp()) // 60}" for first, last, _end in runs)

    def _language_labels(self):
        """``{short code: name}`` of the installed languages, by name, in the page's language."""
        return dict(request.env["voltaic.booking"]._lang_selection())

    def _meeting_type_labels(self):
        """``{meeting type: label}`` in the page's language, in the order of ``MEETING_TYPES``."""
        env = request.env
        return dict(env["voltaic.booking"]._fields["meeting_type"]._description_selection(env))

    def _find_card(self, cards, value):
        """The card of ``value`` (an id or a slug), if any."""
        if not value:
            return None
        try:
            consultant_id = int(value)
        except (TypeError, ValueError):
            consultant_id = request.env["ir.http"]._unslug(value)[1]
        return next((card for card in cards if card["id"] == consultant_id), None)

    def _filters(self, cards, expertise=None, language=None, meeting_type=None, when=None):
        expertise_options = {}
        for card in cards:
            for tag_id, name in card["expertise"]:
                expertise_options.setdefault(tag_id, name)
        try:
            expertise_id = int(expertise) if expertise else None
        except ValueError:
            expertise_id = None
        return {
            "expertise_options": sorted(expertise_options.items(), key=lambda item: item[1].lower()),
            "language_options": list(self._language_labels().items()),
            "meeting_type_options": list(self._meeting_type_labels().items()),
            "expertise": expertise_id if expertise_id in expertise_options else None,
            "language": language if language in self._language_labels() else None,
            "meeting_type": meeting_type if meeting_type in MEETING_TYPE_ICONS else None,
            "when": when if when in ("today", "this_week", "next_week") else None,
        }

    @staticmethod
    def _card_matches(card, filters):
        """The filters the server can apply; "when" depends on the visitor's zone and is left to the page."""
        if filters["expertise"] and filters["expertise"] not in [tag_id for tag_id, _name in card["expertise"]]:
            return False
        if filters["language"] and filters["language"] not in card["language_codes"]:
            return False
        return not (filters["meeting_type"] and filters["meeting_type"] not in card["meeting_types"])

    def _wizard_values(self):
        """What steps 2 and 3 need: labels, the prefilled client, the form's URLs."""
        env = request.env
        user = env.user
        client = {"first_name": "", "last_name": "", "email": "", "phone": "", "company": "", "website": "",
                  "position": ""}
        if not user._is_public():
            partner = user.partner_id
            first, _sep, last = (partner.name or "").strip().partition(" ")
            client.update({
                "first_name": first,
                "last_name": last,
                "email": partner.email or "",
                "phone": partner.phone or "",
                "company": partner.commercial_company_name or partner.company_name or "",
                "website": partner.website or "",
                "position": partner.function or "",
            })
        restarted = self._booking_by_token(request.params.get("restart"), request.params.get("token"))
        if restarted:
            # starting over after a step of an extension that did not go through: the details are kept
            client.update({name: restarted[name] or "" for name in client})
        params = env["ir.config_parameter"].sudo()
        return {
            "client": client,
            "page_language": (request.lang.code or "en_US").split("_")[0] if request.lang else "en",
            "durations": env["voltaic.consultant.duration"]._offered_durations(),
            "meeting_type_labels": self._meeting_type_labels(),
            "meeting_type_icons": MEETING_TYPE_ICONS,
            "language_labels": self._language_labels(),
            "honeypot_field": HONEYPOT_FIELD,
            "submit_url": env["ir.http"]._url_for("/book-consultation/submit"),
            "terms_url": params.get_param("voltaic_booking.terms_url", "/consultation-terms"),
            "privacy_url": params.get_param("voltaic_booking.privacy_url", "/consultation-privacy"),
            "intake_sets": self._intake_question_sets(),
        }

    def _intake_question_sets(self):
        """Step 3's intake questions: the global default set, then each bookable consultant's own set
        (``voltaic.consultant._intake_questions``), then each published team's own set (asked when the team
        is booked, whoever is assigned: ``voltaic.booking.team._intake_questions``), as
        ``[{consultant_id, team_id, questions}]`` (one search for all)."""
        question_model = request.env["voltaic.booking.question"].sudo()
        global_domain = question_model._global_domain()
        questions = question_model.search(Domain.OR([
            global_domain, [("consultant_id.is_accepting_bookings", "=", True)],
            [("team_id.website_published", "=", True)]]))
        global_questions = questions.filtered_domain(global_domain)
        team_questions = questions.filtered("team_id")
        sets = [{"consultant_id": False, "team_id": False, "questions": global_questions}] if global_questions else []
        for consultant, own in (questions - global_questions - team_questions).grouped("consultant_id").items():
            sets.append({"consultant_id": consultant.id, "team_id": False, "questions": own})
        for team, own in team_questions.grouped("team_id").items():
            if team._members():  # as ``voltaic.booking.team._published``: a team nobody can take is not offered
                sets.append({"consultant_id": False, "team_id": team.id, "questions": own})
        return sets

    # ------------------------------------------------------------------
    # Helpers: form, formats, confirmation
    # ------------------------------------------------------------------

    def _parse_form(self, post):
        """Types only, from the form's strings; the booking service checks meaning. ``(values, errors)``."""
        env = request.env
        errors = {}
        values = {"source": "website"}
        for name, message in (("consultant", env._("Choose a consultant.")), ("duration", env._("Choose a duration."))):
            try:
                values[f"{name}_id" if name == "consultant" else name] = int(post.get(name) or "")
            except ValueError:
                errors[name] = message
                values.setdefault(f"{name}_id" if name == "consultant" else name, None)
        values["start"] = BookingApi._parse_datetime(post.get("start"))
        if values["start"] is None:
            errors["start"] = env._("Choose a time.")
        for name in FORM_TEXT_FIELDS:
            values[name] = (post.get(name) or "").strip() or None
        values["client_tz"] = (post.get("tz") or "").strip() or None
        for name in FORM_CONSENTS:
            values[name] = post.get(name) in ("1", "on", "true", "True")
        values["answers"] = self._parse_answers(request.httprequest.form)
        if post.get("consent") in ("1", "on", "true", "True"):
            # the page's one consent line accepts the terms and the privacy policy together
            values["terms_accepted"] = values["privacy_accepted"] = True
        return values, errors

    @staticmethod
    def _parse_answers(form):
        """``{question id: answer}`` of the ``answers.<id>`` inputs (a list where several boxes are ticked)."""
        answers = {}
        for key in form:
            if key.startswith("answers."):
                given = form.getlist(key)
                answers[key.removeprefix("answers.")] = given if len(given) > 1 else given[0]
        return answers

    @staticmethod
    def _json_error(status, code, message, headers=None, **extra):
        return request.make_json_response({"error": {"code": code, "message": message, **extra}}, status=status,
                                          headers=headers)

    @staticmethod
    def _slot_payload(slots, zone):
        return [
            {
                "start": slot_lib.to_utc_iso(start),
                "end": slot_lib.to_utc_iso(end),
                "local_start": slot_lib.to_local_iso(start, zone),
            }
            for start, end in slots
        ]

    @staticmethod
    def _locale():
        return babel_locale_parse(get_lang(request.env).code)

    def _format_slot(self, value, zone, locale):
        """``Wed, Nov 25, 10:00 AM`` / ``Mi., 25. Nov., 10:00``: the page's language, in ``zone``."""
        day = babel_dates.format_skeleton("MMMEd", value, tzinfo=zone, locale=locale)
        return f"{day}, {self._format_clock(value, zone, locale)}"

    @staticmethod
    def _format_clock(value, zone, locale):
        return babel_dates.format_time(value, "short", tzinfo=zone, locale=locale)

    def _booking_by_token(self, reference, token):
        return request.env["voltaic.booking"]._from_token(reference, token)

    def _confirmation_values(self, booking):
        env = request.env
        consultant = booking.consultant_id
        client_zone_name = booking.client_tz if slot_lib.is_valid_timezone(booking.client_tz) else "UTC"
        client_zone = ZoneInfo(client_zone_name)
        consultant_zone = consultant._zone()
        start = booking.start.replace(tzinfo=UTC)
        stop = booking.stop.replace(tzinfo=UTC)
        meeting_label = self._meeting_type_labels().get(booking.meeting_type, booking.meeting_type)
        title = env._("Consultation with %s", consultant.name)
        details = "\n".join(filter(None, [
            env._("Reference: %s", booking.reference),
            booking.subject or "",
            env._("Meeting: %s", meeting_label),
        ]))
        urls = booking._public_urls()
        locale = self._locale()

        def when(zone):
            return {
                "date": babel_dates.format_date(start.astimezone(zone).date(), "full", locale=locale),
                "start": self._format_clock(start, zone, locale),
                "end": self._format_clock(stop, zone, locale),
                "zone": zone_names.zone_label(zone.key, start, locale),
            }

        deadline = booking._mail_edit_deadline().replace(tzinfo=UTC)

        return {
            "booking": booking,
            "consultant_name": consultant.name,
            "consultant_title": consultant.job_title or "",
            "consultant_photo_url": self._photo_url(consultant) if self._with_photo(consultant) else "",
            "consultant_initials": self._initials(consultant.name),
            "client_when": when(client_zone),
            "consultant_when": when(consultant_zone) if consultant_zone.key != client_zone.key else None,
            "meeting_type_label": meeting_label,
            "meeting_type_icon": MEETING_TYPE_ICONS.get(booking.meeting_type, "fa-calendar"),
            "location_is_link": (booking.location or "").startswith(("https://", "http://")),
            "google_url": calendar_links.google_calendar_url(start, stop, title, details, booking.location or ""),
            "outlook_url": calendar_links.outlook_calendar_url(start, stop, title, details, booking.location or ""),
            "ics_url": urls["ics_url"],
            "manage_url": urls["manage_url"],
            "is_upcoming": booking.state == "confirmed" and start > datetime.now(UTC),
            # honest deadlines: the same wording as step 3 of the page
            "can_change_online": booking._client_can_edit(),
            "deadline_label": self._format_slot(deadline, client_zone, locale),
            "book_again_url": f"/book-consultation/{request.env['ir.http']._slug(consultant)}"
            if consultant._is_bookable() else "/book-consultation",
        }
