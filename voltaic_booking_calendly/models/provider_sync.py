"""Talking to Calendly's and Cal.com's APIs: reconciliation, webhook registration, changes made here.

Reconciliation reads the bookings of a recent window back from each
provider (Calendly API v2 ``scheduled_events`` + ``invitees`` with a personal
access token; Cal.com API v2 ``bookings``) and puts in the inbox what no
webhook applied (Cal.com sends each webhook once only). The inbox job then
applies it like any delivery. Registration subscribes our webhook URL with a
fresh secret and stores the secret, so signatures verify at once.

Calls go through ``requests`` with a timeout; they never run inside a
booking transaction (cron, or a button in Settings).
"""

import json
import logging
import secrets
from datetime import datetime, timedelta, timezone

import requests

from odoo import api, models
from odoo.exceptions import AccessError, UserError

from ..lib import providers

UTC = timezone.utc

_logger = logging.getLogger(__name__)

CALENDLY_API = "https://api.calendly.com"
CALCOM_API = "https://api.cal.com"
CALCOM_BOOKINGS_VERSION = "2024-08-13"
TIMEOUT_SECONDS = 20
PAGE_SIZE = 100
MAX_PAGES = 50
RECONCILE_PAST_DAYS = 2
CANCEL_REASON_MAX = 10000
RESCHEDULE_HOPS = 5

PARAM_CALENDLY_TOKEN = "voltaic_booking.calendly_api_token"  # noqa: S105 - a parameter name
PARAM_CALENDLY_KEY = "voltaic_booking.calendly_signing_key"
PARAM_CALENDLY_SCOPE = "voltaic_booking.calendly_scope"
PARAM_CALCOM_KEY = "voltaic_booking.calcom_api_key"
PARAM_CALCOM_URL = "voltaic_booking.calcom_api_url"
PARAM_CALCOM_SECRET = "voltaic_booking.calcom_webhook_secret"  # noqa: S105 - a parameter name
PARAM_RECONCILE_DAYS = "voltaic_booking.provider_reconcile_days"
WEBHOOK_PATHS = {"calendly": "/api/consultations/book/calendly", "calcom": "/api/consultations/book/calcom"}


class ProviderApiError(Exception):
    """A provider API call failed; ``status`` is the HTTP status (None: no answer)."""

    def __init__(self, message, status=None):
        self.status = status
        super().__init__(message)


def _already_cancelled(error):
    """A refusal that means the meeting is not live at the provider any more (404, or "already cancelled")."""
    if error.status in (404, 410):
        return True
    message = str(error).lower()
    return error.status in (400, 403, 409, 422) and "already" in message and "cancel" in message


def _iso(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def _iso_seconds(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class VoltaicProviderSync(models.AbstractModel):
    _name = "voltaic.provider.sync"
    _description = "Calendly / Cal.com API"

    # ------------------------------------------------------------------
    # HTTP
    # ------------------------------------------------------------------

    @api.model
    def _param(self, name, default=None):
        return self.env["ir.config_parameter"].sudo().get_param(name, default)

    @api.model
    def _request(self, method, url, token, params=None, payload=None, headers=None):
        """One API call; the decoded JSON answer, or ``ProviderApiError``."""
        all_headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", **(headers or {})}
        try:
            with requests.Session() as session:
                response = session.request(method, url, headers=all_headers, params=params, json=payload,
                                           timeout=TIMEOUT_SECONDS)
        except requests.RequestException as error:
            raise ProviderApiError(str(error)) from None
        if response.status_code == 204:
            return {}
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 400:
            message = body.get("message") or body.get("title") or (body.get("error") or {}).get("message") \
                if isinstance(body, dict) else None
            raise ProviderApiError(message or f"HTTP {response.status_code}", status=response.status_code)
        return body

    @api.model
    def _webhook_url(self, provider):
        return self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/") + \
            WEBHOOK_PATHS[provider]

    # ------------------------------------------------------------------
    # Calendly
    # ------------------------------------------------------------------

    @api.model
    def _calendly_token(self):
        token = self._param(PARAM_CALENDLY_TOKEN)
        if not token:
            raise UserError(self.env._("Enter a Calendly personal access token in Settings first."))
        return token

    @api.model
    def _calendly_me(self, token):
        return self._request("GET", f"{CALENDLY_API}/users/me", token)["resource"]

    @api.model
    def _calendly_owner(self, token):
        """Query parameters selecting the organization's (or only the token owner's) events."""
        me = self._calendly_me(token)
        if (self._param(PARAM_CALENDLY_SCOPE) or "organization") == "user":
            return {"user": me["uri"]}, me
        return {"organization": me["current_organization"]}, me

    @api.model
    def _calendly_collection(self, url, token, params):
        """Every item of a paginated Calendly collection."""
        items, params = [], dict(params, count=PAGE_SIZE)
        for _page in range(MAX_PAGES):
            answer = self._request("GET", url, token, params=params)
            items += answer.get("collection") or []
            page_token = (answer.get("pagination") or {}).get("next_page_token")
            if not page_token:
                break
            params["page_token"] = page_token
        return items

    @api.model
    def _calendly_deliveries(self, window_start, window_end):
        """Webhook-shaped deliveries of every invitee of the window's scheduled events."""
        token = self._calendly_token()
        owner, _me = self._calendly_owner(token)
        events = self._calendly_collection(f"{CALENDLY_API}/scheduled_events", token, {
            **owner, "min_start_time": _iso(window_start), "max_start_time": _iso(window_end),
        })
        deliveries = []
        for event in events:
            uuid = providers.uuid_from_uri(event.get("uri"))
            for invitee in self._calendly_collection(
                    f"{CALENDLY_API}/scheduled_events/{uuid}/invitees", token, {}):
                deliveries.append(providers.calendly_api_delivery(event, invitee))
        return deliveries

    @api.model
    def _register_calendly(self):
        """Subscribe our webhook URL with a new signing key (replacing our old subscription)."""
        token = self._calendly_token()
        owner, me = self._calendly_owner(token)
        scope = "user" if "user" in owner else "organization"
        url = self._webhook_url("calendly")
        signing_key = secrets.token_urlsafe(32)
        body = {
            "url": url,
            "events": list(providers.SUBSCRIBED_EVENTS["calendly"]),
            "organization": me["current_organization"],
            "scope": scope,
            "signing_key": signing_key,
        }
        if scope == "user":
            body["user"] = me["uri"]
        try:
            self._request("POST", f"{CALENDLY_API}/webhook_subscriptions", token, payload=body)
        except ProviderApiError as error:
            if error.status != 409:
                raise
            # already subscribed: its signing key cannot be read back, so replace the subscription
            for subscription in self._calendly_collection(f"{CALENDLY_API}/webhook_subscriptions", token, {
                    "organization": me["current_organization"], "scope": scope, **owner}):
                if subscription.get("callback_url") == url:
                    self._request("DELETE", subscription["uri"], token)
            self._request("POST", f"{CALENDLY_API}/webhook_subscriptions", token, payload=body)
        self.env["ir.config_parameter"].sudo().set_param(PARAM_CALENDLY_KEY, signing_key)
        return url

    # ------------------------------------------------------------------
    # Cal.com
    # ------------------------------------------------------------------

    @api.model
    def _calcom_key(self):
        key = self._param(PARAM_CALCOM_KEY)
        if not key:
            raise UserError(self.env._("Enter a Cal.com API key in Settings first."))
        return key

    @api.model
    def _calcom_api(self):
        return (self._param(PARAM_CALCOM_URL) or CALCOM_API).rstrip("/")

    @api.model
    def _calcom_bookings(self, window_start, window_end):
        """Every booking of the window (all statuses), as Cal.com's API v2 returns them."""
        key, api_url = self._calcom_key(), self._calcom_api()
        bookings = []
        for page in range(MAX_PAGES):
            answer = self._request("GET", f"{api_url}/v2/bookings", key, headers={
                "cal-api-version": CALCOM_BOOKINGS_VERSION,
            }, params={
                "afterStart": _iso(window_start), "beforeEnd": _iso(window_end),
                "take": PAGE_SIZE, "skip": page * PAGE_SIZE, "sortStart": "asc",
            })
            data = answer.get("data") or []
            bookings += [booking for booking in data if isinstance(booking, dict)]
            if not (answer.get("pagination") or {}).get("hasNextPage") or not data:
                break
        return bookings

    @api.model
    def _register_calcom(self):
        """Create our webhook with a new secret (replacing our old one)."""
        key, api_url = self._calcom_key(), self._calcom_api()
        url = self._webhook_url("calcom")
        secret = secrets.token_urlsafe(32)
        existing = self._request("GET", f"{api_url}/v2/webhooks", key).get("data") or []
        for webhook in existing:
            if isinstance(webhook, dict) and webhook.get("subscriberUrl") == url:
                self._request("DELETE", f"{api_url}/v2/webhooks/{webhook['id']}", key)
        self._request("POST", f"{api_url}/v2/webhooks", key, payload={
            "subscriberUrl": url,
            "triggers": list(providers.SUBSCRIBED_EVENTS["calcom"]),
            "active": True,
            "secret": secret,
        })
        self.env["ir.config_parameter"].sudo().set_param(PARAM_CALCOM_SECRET, secret)
        return url

    # ------------------------------------------------------------------
    # Changes made in Odoo (sent by the queue of models/booking_provider_push.py)
    # ------------------------------------------------------------------

    @api.model
    def _cancel_at_provider(self, booking):
        """Cancel ``booking``'s meeting at its provider; a note for the chatter, or ``ProviderApiError``.

        Calendly: ``POST /scheduled_events/{uuid}/cancellation`` (``reason``). Cal.com API v2:
        ``POST /v2/bookings/{uid}/cancel`` (``cancellationReason``). An answer that the meeting is
        gone or already cancelled counts as done: the call can be repeated safely.
        """
        label = booking._provider_label()
        reason = (booking.cancellation_reason or booking.with_context(lang=booking._mail_lang()).env._(
            "The consultation was cancelled."))[:CANCEL_REASON_MAX]
        try:
            if booking.external_provider == "calendly":
                if not booking.external_event_id:
                    raise UserError(self.env._("The Calendly event of this booking is not known."))
                self._request("POST", f"{CALENDLY_API}/scheduled_events/{booking.external_event_id}/cancellation",
                              self._calendly_token(), payload={"reason": reason})
            else:
                self._request("POST", f"{self._calcom_api()}/v2/bookings/{booking.external_uid}/cancel",
                              self._calcom_key(), headers={"cal-api-version": CALCOM_BOOKINGS_VERSION},
                              payload={"cancellationReason": reason})
        except ProviderApiError as error:
            if not _already_cancelled(error):
                raise
            return self.env._("%(provider)s had the meeting cancelled already (%(answer)s).",
                              provider=label, answer=error)
        return self.env._("Cancelled in %s too.", label)

    @api.model
    def _reschedule_at_provider(self, booking):
        """Give ``booking``'s Cal.com booking the booking's time; a note for the chatter, or an error.

        Cal.com API v2: ``GET /v2/bookings/{uid}`` first: a booking that has the time already (our earlier
        call went through, its answer was lost) is left alone, one that was moved is followed to its
        ``rescheduledToUid``; then ``POST /v2/bookings/{uid}/reschedule`` (``start`` in UTC,
        ``reschedulingReason``). Cal.com answers with a new booking (new uid), which ``booking`` takes over.
        The call can be repeated safely.
        """
        if booking.external_provider != "calcom":
            raise UserError(self.env._("%s cannot move a booking through its API.", booking._provider_label()))
        key, api_url = self._calcom_key(), self._calcom_api()
        headers = {"cal-api-version": CALCOM_BOOKINGS_VERSION}
        start = booking._start_utc()
        uid = booking.external_uid
        for _hop in range(RESCHEDULE_HOPS):
            record = self._request("GET", f"{api_url}/v2/bookings/{uid}", key, headers=headers).get("data") or {}
            status = str(record.get("status") or "").lower()
            if status in ("cancelled", "rejected"):
                if record.get("rescheduledToUid"):
                    booking._provider_adopt_uid(record["rescheduledToUid"])  # moved meanwhile: follow it
                    uid = booking.external_uid
                    continue
                raise UserError(self.env._(
                    "The meeting is cancelled in Cal.com; it cannot be moved there any more."))
            if providers.parse_time(record.get("start")) == start and record.get("duration") in (
                    None, booking.duration):
                if record.get("id") and str(record["id"]) != booking.external_event_id:
                    booking.external_event_id = str(record["id"])
                return self.env._("Cal.com has the new time already.")
            reason = booking.with_context(lang=booking._mail_lang()).env._(
                "The consultation was moved to a new time.")
            answer = self._request("POST", f"{api_url}/v2/bookings/{uid}/reschedule", key, headers=headers,
                                   payload={"start": _iso_seconds(start), "reschedulingReason": reason})
            moved = answer.get("data") or {}
            if isinstance(moved, list):  # a seated booking answers with its seats
                moved = moved[0] if moved else {}
            booking._provider_adopt_uid(moved.get("uid"), moved)
            return self.env._("Moved in Cal.com too.")
        raise ProviderApiError(self.env._("Cal.com keeps pointing to newer bookings; try again later."))

    # ------------------------------------------------------------------
    # Settings buttons
    # ------------------------------------------------------------------

    @api.model
    def _action_register(self, provider):
        """Administrators: subscribe our webhook at ``provider``; a notification says how it went."""
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._("Only administrators can register webhooks."))
        register = self._register_calendly if provider == "calendly" else self._register_calcom
        label = "Calendly" if provider == "calendly" else "Cal.com"
        try:
            url = register()
        except ProviderApiError as error:
            raise UserError(self.env._("%(provider)s refused the registration: %(error)s",
                                       provider=label, error=error)) from None
        return self._notification(self.env._(
            "%(provider)s now sends its bookings to %(url)s; the secret is stored.", provider=label, url=url))

    @api.model
    def _action_reconcile_now(self):
        if not self.env.user.has_group("voltaic_booking.group_manager"):
            raise AccessError(self.env._("Only consultation managers can run the reconciliation."))
        queued = self.sudo()._reconcile()
        return self._notification(self.env._(
            "%s bookings missing here were queued; they appear in a moment.", queued) if queued
            else self.env._("Nothing is missing."))

    @api.model
    def _notification(self, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": "success", "sticky": False,
                       "next": {"type": "ir.actions.client", "tag": "soft_reload"}},
        }

    # ------------------------------------------------------------------
    # Reconciliation
    # ------------------------------------------------------------------

    @api.model
    def _cron_reconcile(self):
        self._reconcile()

    @api.model
    def _reconcile(self, now=None):
        """Queue what the providers know and we do not, for each configured provider; the number queued."""
        now = now or datetime.now(UTC)
        days = int(self._param(PARAM_RECONCILE_DAYS) or 60)
        window_start, window_end = now - timedelta(days=RECONCILE_PAST_DAYS), now + timedelta(days=days)
        queued = 0
        sources = (
            ("calendly", PARAM_CALENDLY_TOKEN, self._calendly_deliveries),
            ("calcom", PARAM_CALCOM_KEY, self._calcom_bookings),
        )
        for provider, token_param, read in sources:
            if not self._param(token_param):
                continue
            try:
                records = read(window_start, window_end)
            except ProviderApiError as error:
                _logger.warning("%s reconciliation failed: %s", provider, error)
                continue
            for record in records:
                queued += self._queue_if_missed(provider, record)
        if queued:
            self.env.ref("voltaic_booking_calendly.ir_cron_webhook_inbox").sudo()._trigger_once()
        return queued

    @api.model
    def _queue_if_missed(self, provider, record):
        """Put an API record in the inbox unless its state is already applied or on its way; 1 if queued."""
        try:
            change = providers.normalize(provider, record, "reconciliation")
        except providers.PayloadError as error:
            _logger.info("%s reconciliation: skipping a record (%s)", provider, error)
            return 0
        if not change["kind"]:
            return 0
        inbox = self.env["voltaic.webhook.inbox"].sudo()
        if inbox.search_count([("provider", "=", provider), ("external_uid", "=", change["uid"]),
                               ("state", "=", "pending")], limit=1):
            return 0
        booking, status = inbox._resolve(change["uid"], provider)
        if change["kind"] in ("created", "rescheduled") and status != "unknown":
            return 0
        if change["kind"] == "cancelled" and (
                status != "current" or booking.state != "confirmed" or change["rescheduled"]):
            # nothing live to cancel here (a reschedule's new half arrives as its own record)
            return 0
        _row, is_new = inbox._receive(
            provider, record, json.dumps(record), origin="reconciliation",
            key=f"reconcile:{change['kind']}:{change['uid']}", event_type=change["event_type"])
        return int(is_new)
