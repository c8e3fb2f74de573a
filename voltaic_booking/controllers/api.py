"""Public JSON API of the booking service.

Routes parse and check input, then call the booking service
(``voltaic.booking._book``) and render its answer. No booking logic here.
"""

import json
import logging
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import psycopg2.errors

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import file_open, html2plaintext

from ..exceptions import BookingBusyError, BookingValidationError, SlotUnavailableError
from ..lib import slots as slot_lib
from .booking_service import book_in_request, change_in_request
from .portal import REASON_MAX

UTC = timezone.utc

_logger = logging.getLogger(__name__)

MAX_RANGE_DAYS = 62
DATE_WINDOW_DAYS = 3650  # start dates further from today are refused (and never reach the date arithmetic)
DEFAULT_RANGE_DAYS = 14
STRING_FIELDS = (
    "first_name", "last_name", "email", "phone", "company", "website", "position", "subject", "message",
    "language", "meeting_type", "tz",
)
BOOLEAN_FIELDS = ("terms_accepted", "privacy_accepted", "marketing_consent")


def json_response(payload, status=200, headers=None):
    return request.make_json_response(payload, status=status, headers=headers)


def api_error(code, message, **extra):
    """The body of every error answer: ``{"error": {"code", "message", ...}}``."""
    return {"error": {"code": code, "message": message, **extra}}


def json_error(status, code, message, headers=None, **extra):
    return json_response(api_error(code, message, **extra), status=status, headers=headers)


def validation_error(env, fields):
    return api_error("validation", env._("Some fields are invalid."), fields=fields)


def rate_limited(env):
    """429 with the time after which a new request is counted again (the limit is per minute)."""
    return json_error(429, "rate_limited", env._("Too many requests, please wait a minute."),
                      headers=[("Retry-After", "60")])


def bad_body(env):
    return json_error(400, "bad_request", env._("The body must be a JSON object, sent as application/json."))


def busy(error):
    """503 for ``BookingBusyError``: nothing was kept, retry with the same Idempotency-Key."""
    return json_error(503, "busy", error.args[0], headers=[("Retry-After", str(error.retry_after))])


class BookingApi(http.Controller):
    # answers carry CORS headers for the origins of ``voltaic_booking.api_cors_origins`` (see ir_http.py)
    _voltaic_api_cors = True

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _set_api_lang(self, language=None):
        """Answer in the client's language: ``language`` (an installed language's short code: en, de, …),
        ``?lang=``, then Accept-Language."""
        candidates = [language, request.httprequest.args.get("lang")]
        candidates += [lang.split("-")[0].lower() for lang in request.httprequest.accept_languages.values()]
        installed = request.env["voltaic.booking"]._installed_langs()
        for candidate in candidates:
            code = installed.get((candidate or "").split("_")[0].lower())
            if code:
                request.update_context(lang=code)
                return code
        request.update_context(lang="en_US")
        return "en_US"

    def _client_ip(self):
        return request.httprequest.remote_addr or "unknown"

    def _public_consultants(self):
        return request.env["voltaic.consultant"].sudo().search([("is_accepting_bookings", "=", True)])

    def _slot_payload(self, slots, zone):
        return [
            {
                "start": slot_lib.to_utc_iso(start),
                "end": slot_lib.to_utc_iso(end),
                "local_start": slot_lib.to_local_iso(start, zone),
            }
            for start, end in slots
        ]

    def _consultant_payload(self, consultant, next_available):
        base_url = request.env["voltaic.booking"]._client_base_url_for(consultant.company_id)
        return {
            "id": consultant.id,
            "name": consultant.name,
            "title": consultant.job_title or "",
            "photo_url": f"{base_url}/api/consultations/consultants/{consultant.id}/photo",
            "bio": html2plaintext(consultant.bio or "").strip(),
            "expertise": consultant.expertise_ids.mapped("name"),
            "languages": consultant._language_codes(),
            "meeting_types": consultant._meeting_types(),
            "durations": consultant._allowed_durations(),
            "timezone": consultant.tz or "UTC",
            "next_available": slot_lib.to_utc_iso(next_available) if next_available else None,
        }

    def _booking_payload(self, booking):
        zone = ZoneInfo(booking.client_tz or "UTC")
        return {
            "reference": booking.reference,
            "state": booking.state,
            "start": slot_lib.to_utc_iso(booking.start),
            "end": slot_lib.to_utc_iso(booking.stop),
            "local_start": slot_lib.to_local_iso(booking.start, zone),
            "duration": booking.duration,
            "tz": booking.client_tz,
            "consultant": booking.consultant_id.id,
            "consultant_name": booking.consultant_id.name,
            "meeting_type": booking.meeting_type,
            "location": booking.location or "",
            "first_name": booking.first_name,
            "last_name": booking.last_name,
            "email": booking.email,
            "subject": booking.subject or "",
            **booking._public_urls(),
        }

    def _booking_by_token(self, reference, token):
        """The booking (sudo) if ``token`` is its access token, else an empty recordset."""
        return request.env["voltaic.booking"]._from_token(reference, token)

    def _parse_booking_payload(self, data):
        """Types only; the booking service checks meaning. Returns ``(values, errors)``."""
        env = request.env
        errors = {}
        values = {"source": "api"}
        try:
            values["consultant_id"] = int(data.get("consultant"))
        except (TypeError, ValueError):
            errors["consultant"] = env._("Choose a consultant.")
        duration = data.get("duration")
        if isinstance(duration, str) and duration.isdigit():
            duration = int(duration)
        if not isinstance(duration, int) or isinstance(duration, bool):
            errors["duration"] = env._("Choose a duration.")
        values["duration"] = duration
        values["start"] = self._parse_datetime(data.get("start"))
        if values["start"] is None:
            errors["start"] = env._("Give the start as an ISO-8601 date and time in UTC.")
        for name in STRING_FIELDS:
            value = data.get(name)
            if value is not None and not isinstance(value, str):
                errors[name] = env._("This must be text.")
                value = None
            values[name] = value
        values["client_tz"] = values.pop("tz")
        for name in BOOLEAN_FIELDS:
            value = data.get(name, False)
            if not isinstance(value, bool):
                errors[name] = env._("This must be true or false.")
            values[name] = value is True
        values["answers"] = data.get("answers")  # ``{question id: answer}``, checked by the service
        return values, errors

    @staticmethod
    def _json_body(body, empty=None):
        """The parsed body, ``empty`` when there is none, None when it is not JSON."""
        if not body:
            return empty
        try:
            return json.loads(body)
        except ValueError:
            return None

    @staticmethod
    def _idempotency_key():
        return (request.httprequest.headers.get("Idempotency-Key") or "").strip()[:255]

    def _idempotent_replay(self, key, request_bytes):
        """The stored answer of an answered request with this ``Idempotency-Key`` (the same ``request_bytes``),
        a 422 when the key came with other bytes, else None. Given even over the rate limit."""
        if not key:
            return None
        idempotency = request.env["voltaic.booking.idempotency"]
        previous = idempotency._lookup(key)
        if not previous or not previous.status:
            return None
        if previous.fingerprint != idempotency._fingerprint(request_bytes):
            return json_error(422, "idempotency_mismatch",
                              request.env._("This Idempotency-Key was used for a different request."))
        return json_response(json.loads(previous.response), status=previous.status)

    def _idempotent_claim(self, key, request_bytes):
        """``(record, None)``: the key is ours until the answer is stored on ``record`` (None without a key);
        ``(None, answer)``: a request with the key is still running, ``answer`` is the 409."""
        if not key:
            return None, None
        env = request.env
        idempotency = env["voltaic.booking.idempotency"]
        def in_progress():
            return None, json_error(409, "idempotency_in_progress", env._(
                "A request with this Idempotency-Key is being processed; retry shortly."))

        if idempotency._lookup(key):
            return in_progress()
        try:
            with env.cr.savepoint():
                return idempotency._remember(key, request_bytes, 0, None), None
        except psycopg2.errors.UniqueViolation:  # another request took the key meanwhile
            return in_progress()

    @staticmethod
    def _parse_datetime(value):
        if not isinstance(value, str):
            return None
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)

    @staticmethod
    def _parse_date(value):
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            return None

    # ------------------------------------------------------------------
    # Routes
    # ------------------------------------------------------------------

    @http.route("/api/consultations/consultants", type="http", auth="public", methods=["GET"], readonly=True)
    def consultants(self, **kwargs):
        self._set_api_lang()
        consultants = self._public_consultants()
        next_available = consultants._next_available()
        return json_response({
            "consultants": [self._consultant_payload(c, next_available.get(c.id)) for c in consultants],
        })

    @http.route("/api/consultations/consultants/<int:consultant_id>/photo", type="http", auth="public",
                methods=["GET"], readonly=True)
    def consultant_photo(self, consultant_id, **kwargs):
        consultant = request.env["voltaic.consultant"].sudo().browse(consultant_id).exists()
        if not consultant or not consultant.is_accepting_bookings:
            raise request.not_found()
        return request.env["ir.binary"]._get_image_stream_from(
            consultant, "image_512", placeholder="base/static/img/avatar_grey.png",
        ).get_response()

    @http.route("/api/consultations/consultants/<int:consultant_id>/questions", type="http", auth="public",
                methods=["GET"], readonly=True)
    def consultant_questions(self, consultant_id, **kwargs):
        """The intake questions a booking of the consultant asks (``answers`` of ``POST /api/consultations``)."""
        self._set_api_lang()
        env = request.env
        consultant = env["voltaic.consultant"].sudo().browse(consultant_id).exists()
        if not consultant or not consultant.is_accepting_bookings:
            return json_error(404, "not_found", env._("No such consultant."))
        return json_response({
            "consultant": consultant.id,
            "questions": [question._public_payload() for question in consultant._intake_questions()],
        })

    @http.route("/api/consultations/slots", type="http", auth="public", methods=["GET"], readonly=True)
    def slots(self, consultant=None, duration=None, start=None, end=None, tz=None, **kwargs):
        self._set_api_lang()
        env = request.env  # after the language switch: messages in the client's language
        if consultant is None and kwargs.get("team") is not None:
            return self._team_slots(kwargs, duration, start, end, tz)
        errors = {}
        try:
            consultant_id = int(consultant)
        except (TypeError, ValueError):
            return json_error(400, "bad_request", env._("Give the consultant's id."))
        consultant_sudo = env["voltaic.consultant"].sudo().browse(consultant_id).exists()
        if not consultant_sudo or not consultant_sudo.is_accepting_bookings:
            return json_error(404, "not_found", env._("No such consultant."))
        zone_name = tz or consultant_sudo.tz or "UTC"
        if not slot_lib.is_valid_timezone(zone_name):
            errors["tz"] = env._("Unknown time zone.")
        allowed = consultant_sudo._allowed_durations()
        try:
            minutes = int(duration) if duration is not None else allowed[0]
        except (TypeError, ValueError):
            minutes = None
        if minutes not in allowed:
            errors["duration"] = env._("Choose one of the consultant's durations: %s.",
                                       ", ".join(str(d) for d in allowed))
        zone = ZoneInfo(zone_name) if "tz" not in errors else UTC
        first_day, last_day = self._slot_days(start, end, zone, errors)
        if errors:
            return json_error(422, "validation", env._("Some parameters are invalid."), fields=errors)
        range_start, range_end = slot_lib.local_day_bounds(first_day, last_day, zone)
        free = consultant_sudo._get_slots(range_start, range_end, minutes)[consultant_sudo.id]
        return json_response({
            "consultant": consultant_sudo.id,
            "duration": minutes,
            "tz": zone_name,
            "start": first_day.isoformat(),
            "end": last_day.isoformat(),
            "slots": self._slot_payload(free, zone),
        })

    def _slot_days(self, start, end, zone, errors):
        """``(first_day, last_day)`` of a slots request (``YYYY-MM-DD``, in ``zone``); problems go to
        ``errors``. The range is capped: at most MAX_RANGE_DAYS days are answered."""
        env = request.env
        today = datetime.now(UTC).astimezone(zone).date()
        first_day = self._parse_date(start) if start else today
        if first_day is None:
            errors["start"] = env._("Give the start as YYYY-MM-DD.")
        elif abs((first_day - today).days) > DATE_WINDOW_DAYS:
            errors["start"] = env._("Choose a date within ten years from today.")
            first_day = None
        last_day = self._parse_date(end) if end else (first_day or today) + timedelta(days=DEFAULT_RANGE_DAYS - 1)
        if last_day is None:
            errors["end"] = env._("Give the end as YYYY-MM-DD.")
        elif first_day and last_day < first_day:
            errors["end"] = env._("The end must not be before the start.")
        if errors:
            return None, None
        return first_day, min(last_day, first_day + timedelta(days=MAX_RANGE_DAYS - 1))

    @http.route("/api/consultations", type="http", auth="public", methods=["POST"], csrf=False)
    def create_booking(self, **kwargs):
        body = request.httprequest.get_data()
        data = self._json_body(body)
        self._set_api_lang(data.get("language") if isinstance(data, dict) else None)
        env = request.env  # after the language switch: messages in the client's language
        key = self._idempotency_key()
        replay = self._idempotent_replay(key, body)
        if replay:
            return replay
        if not env["voltaic.request.throttle"]._hit(f"api:{self._client_ip()}"):
            return rate_limited(env)
        if not isinstance(data, dict):
            return bad_body(env)
        record, refusal = self._idempotent_claim(key, body)
        if refusal:
            return refusal
        try:
            status, payload = self._book(data)
        except BookingBusyError as error:
            # the transaction was rolled back (the key's record with it): the client retries with the same key
            return busy(error)
        if record:
            record.write({"status": status, "response": json.dumps(payload)})
        return json_response(payload, status=status)

    def _book(self, data):
        env = request.env
        values, errors = self._parse_booking_payload(data)
        if errors:
            # report every problem at once: the service's checks on what did parse, then the parse errors
            try:
                env["voltaic.booking"].sudo()._validate_booking_values(values)
            except BookingValidationError as error:
                errors = {**error.fields, **errors}
            return 422, validation_error(env, errors)
        try:
            booking = book_in_request(request, env(su=True), values)
        except BookingValidationError as error:
            return 422, validation_error(env, error.fields)
        except SlotUnavailableError as error:
            zone = ZoneInfo(values["client_tz"]) if slot_lib.is_valid_timezone(values["client_tz"]) else UTC
            return 409, api_error("slot_unavailable", error.args[0],
                                  alternatives=self._slot_payload(error.alternatives, zone))
        return 201, {
            "reference": booking.reference,
            "start": slot_lib.to_utc_iso(booking.start),
            "end": slot_lib.to_utc_iso(booking.stop),
            "consultant": booking.consultant_id.id,
            **booking._public_urls(),
            **booking._api_extra_values(),
        }

    @http.route("/api/consultations/<string:reference>", type="http", auth="public", methods=["GET"], readonly=True)
    def booking(self, reference, token=None, **kwargs):
        self._set_api_lang()
        booking = self._booking_by_token(reference, token)
        if not booking:
            return json_error(404, "not_found", request.env._("No such booking."))
        return json_response(self._booking_payload(booking))

    @http.route("/api/consultations/<string:reference>/ics", type="http", auth="public", methods=["GET"],
                readonly=True)
    def booking_ics(self, reference, token=None, **kwargs):
        booking = self._booking_by_token(reference, token)
        if not booking:
            raise request.not_found()
        return request.make_response(booking._ics_content(publish=True), headers=[
            ("Content-Type", "text/calendar; charset=utf-8"),
            ("Content-Disposition", f'attachment; filename="{booking.reference}.ics"'),
        ])

    @http.route("/api/consultations/<string:reference>/reschedule", type="http", auth="public", methods=["POST"],
                csrf=False)
    def reschedule_booking(self, reference, **kwargs):
        """Move the booking to another free slot: the manage page's rules, through ``voltaic.booking._reschedule``."""
        return self._change_booking(reference, "reschedule", self._apply_reschedule)

    @http.route("/api/consultations/<string:reference>/cancel", type="http", auth="public", methods=["POST"],
                csrf=False)
    def cancel_booking(self, reference, **kwargs):
        """Cancel the booking as its client: the manage page's rules, through ``voltaic.booking.action_cancel``."""
        return self._change_booking(reference, "cancel", self._apply_cancel)

    def _change_booking(self, reference, action, change):
        """A client's change of a booking, authorised by its token (``Authorization: Bearer`` or ``token``).

        Same order as ``create_booking``: a retry of an answered request first, then the rate limit, the
        body, the token (a 404 that says nothing about the booking), the Idempotency-Key, and
        ``change(booking, data)`` returning ``(status, payload)``. The Idempotency-Key's fingerprint covers
        the action, the reference and the token besides the body.
        """
        body = request.httprequest.get_data()
        data = self._json_body(body, empty={})
        self._set_api_lang()
        env = request.env  # after the language switch: messages in the client's language
        token = self._request_token(data)
        request_bytes = b"\n".join([f"POST {action} {reference}".encode(), (token or "").encode(), body])
        key = self._idempotency_key()
        replay = self._idempotent_replay(key, request_bytes)
        if replay:
            return replay
        if not env["voltaic.request.throttle"]._hit(f"api:{self._client_ip()}"):
            return rate_limited(env)
        if not isinstance(data, dict):
            return bad_body(env)
        booking = self._booking_by_token(reference, token)
        if not booking:
            return json_error(404, "not_found", env._("No such booking."))
        record, refusal = self._idempotent_claim(key, request_bytes)
        if refusal:
            return refusal
        try:
            status, payload = self._check_changeable(booking, action) or change(booking, data)
        except BookingBusyError as error:
            return busy(error)
        if record:
            record.write({"status": status, "response": json.dumps(payload)})
        return json_response(payload, status=status)

    @staticmethod
    def _request_token(data):
        """The booking's token: ``Authorization: Bearer <token>``, else the body's ``token``."""
        header = request.httprequest.headers.get("Authorization") or ""
        match = re.match(r"^bearer\s+(\S+)\s*$", header, re.IGNORECASE)
        if match:
            return match.group(1)
        token = data.get("token") if isinstance(data, dict) else None
        return token if isinstance(token, str) else None

    def _check_changeable(self, booking, action):
        """``(409, error)`` when the client may not change the booking online (any more), else None."""
        env = request.env
        if booking.state == "cancelled":
            return 409, api_error("already_cancelled", env._("This booking is already cancelled."))
        if booking.state != "confirmed":
            state = dict(booking._fields["state"]._description_selection(env)).get(booking.state, booking.state)
            return 409, api_error("not_confirmed", env._(
                "Only a confirmed booking can be changed; this one is “%s”.", state))
        if not booking._client_can_edit():
            message = env._("This booking can no longer be cancelled online.") if action == "cancel" \
                else env._("This booking can no longer be moved online.")
            return 409, api_error("change_deadline_passed", message)
        return None

    def _apply_reschedule(self, booking, data):
        env = request.env
        errors = {}
        new_start = self._parse_datetime(data.get("start"))
        if new_start is None:
            errors["start"] = env._("Give the start as an ISO-8601 date and time in UTC.")
        duration = data.get("duration")
        if isinstance(duration, str) and duration.isdigit():
            duration = int(duration)
        if duration is not None and (not isinstance(duration, int) or isinstance(duration, bool)):
            errors["duration"] = env._("Choose a duration.")
        zone_name = data.get("tz") or booking.client_tz or "UTC"
        if not isinstance(zone_name, str) or not slot_lib.is_valid_timezone(zone_name):
            errors["tz"] = env._("Unknown time zone.")
        if errors:
            return 422, validation_error(env, errors)
        try:
            change_in_request(request, booking, lambda: booking._reschedule(new_start, duration))
        except BookingBusyError:
            raise
        except SlotUnavailableError as error:
            return 409, api_error("slot_unavailable", error.args[0],
                                  alternatives=self._slot_payload(error.alternatives, ZoneInfo(zone_name)))
        except BookingValidationError as error:
            return 422, validation_error(env, error.fields)
        except UserError as error:
            return 409, api_error("not_changeable", error.args[0])
        return 200, self._booking_payload(booking)

    def _apply_cancel(self, booking, data):
        env = request.env
        reason = data.get("reason")
        if reason is not None and not isinstance(reason, str):
            return 422, validation_error(env, {"reason": env._("This must be text.")})
        reason = (reason or "").strip()[:REASON_MAX]
        try:
            # the client's own cancellation: extensions apply their policy to it (voltaic_client_cancel)
            change_in_request(request, booking, lambda: booking.with_context(
                voltaic_client_cancel=True).action_cancel(reason=reason or None))
        except BookingBusyError:
            raise
        except UserError as error:
            return 409, api_error("not_changeable", error.args[0])
        return 200, self._booking_payload(booking)

    @http.route("/api/consultations/openapi.json", type="http", auth="public", methods=["GET"], readonly=True)
    def openapi_document(self, **kwargs):
        """The OpenAPI 3.1 document of this API (``static/api/openapi.json``), for the requesting host."""
        document = self._openapi_document()
        document["servers"] = [{"url": request.httprequest.url_root.rstrip("/")}]
        return json_response(document)

    def _openapi_document(self):
        """The stored document; companion addons that add keys or states to the answers extend it here."""
        with file_open("voltaic_booking/static/api/openapi.json", "rb") as document_file:
            return json.load(document_file)
