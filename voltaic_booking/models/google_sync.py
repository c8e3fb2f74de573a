"""The Google Calendar connection of a consultant, and the client that talks to Google.

Everything that goes over the network lives here: credentials (a company
service account with domain-wide delegation, or the consultant's own OAuth
refresh token), the Calendar API client built from the discovery document
shipped with ``google-api-python-client`` (no discovery request at runtime),
free/busy refreshes, and the incremental sync of changes made in Google.
"""

import hashlib
import json
import logging
import threading
import time as time_module
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import google_auth_httplib2
import httplib2
from google.auth import exceptions as google_auth_exceptions
from google.oauth2 import credentials as oauth_credentials
from google.oauth2 import service_account
from googleapiclient import discovery
from googleapiclient.errors import HttpError

from odoo import api, fields, models

from ..lib import google_mapping as gmap

UTC = timezone.utc

_logger = logging.getLogger(__name__)

PARAM_PREFIX = "voltaic_booking.google_"
#: seconds a cron call may wait for Google
HTTP_TIMEOUT = 30
#: defaults of the settings
DEFAULT_STALE_MINUTES = 15
DEFAULT_TIMEOUT_SECONDS = 3.0
#: a consultant whose interactive refresh failed is not retried by this process before
INTERACTIVE_RETRY_SECONDS = 60
#: key of the busy times fetched during the current transaction in ``cr.cache``
BUSY_STASH_KEY = "voltaic_google_busy"
#: first key of the advisory locks taken while a connection refreshes its busy times
ADVISORY_LOCK_NAMESPACE = 7402417

# access tokens survive between calls of this process: {cache key: (token, expiry)}
_TOKEN_CACHE = {}
# {(dbname, connection id): monotonic time of the last failed interactive refresh}
_INTERACTIVE_FAILURES = {}


class GoogleSyncError(Exception):
    """A call to Google failed.

    :param status: HTTP status of Google's answer (``None`` for network errors).
    :param reason: Google's error reason (``rateLimitExceeded``, ``invalid_grant``...).
    :param retryable: the same call may succeed later (429, 5xx, network).
    :param auth: there are no usable credentials: nothing can be done until someone acts.
    :param missing: the credentials are not configured yet (the connection is not broken, just not set up).
    """

    def __init__(self, message, status=None, reason=None, retryable=False, auth=False, missing=False):
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.retryable = retryable
        self.auth = auth or missing
        self.missing = missing


class GoogleClient:
    """An authorised Calendar API client; no database access, safe to use in a thread."""

    def __init__(self, credentials, http, cache_key=None):
        self.credentials = credentials
        self.cache_key = cache_key
        self.base_http = http
        self.http = google_auth_httplib2.AuthorizedHttp(credentials, http=http)
        # the calendar v3 discovery document ships with the library: no network here
        self.service = discovery.build(
            "calendar", "v3", http=self.http, static_discovery=True, cache_discovery=False)

    def execute(self, request):
        """Run one API request; Google's errors become :class:`GoogleSyncError`."""
        try:
            return request.execute(num_retries=0)
        except HttpError as error:
            status = error.resp.status
            reason, message = gmap.error_details(error.content)
            raise GoogleSyncError(
                f"{status} {reason or ''}: {message}".strip(), status=status, reason=reason,
                retryable=gmap.is_retryable(status, reason), auth=status == 401,
            ) from error
        except google_auth_exceptions.RefreshError as error:
            raise self._refresh_error(error) from error
        except (google_auth_exceptions.TransportError, httplib2.HttpLib2Error, OSError) as error:
            raise GoogleSyncError(f"network: {error}", retryable=True) from error
        finally:
            self.remember_token()

    def refresh(self):
        """Ask the token endpoint for an access token (the first check of "Test connection")."""
        try:
            self.credentials.refresh(google_auth_httplib2.Request(self.base_http))
        except google_auth_exceptions.RefreshError as error:
            raise self._refresh_error(error) from error
        except (google_auth_exceptions.TransportError, httplib2.HttpLib2Error, OSError) as error:
            raise GoogleSyncError(f"network: {error}", retryable=True) from error
        self.remember_token()

    def remember_token(self):
        if self.cache_key and self.credentials.token and self.credentials.expiry:
            _TOKEN_CACHE[self.cache_key] = (self.credentials.token, self.credentials.expiry)

    @staticmethod
    def _refresh_error(error):
        data = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], dict) else {}
        reason = data.get("error") or None
        retryable = bool(getattr(error, "retryable", False))
        return GoogleSyncError(
            f"token: {error.args[0] if error.args else error}", reason=reason,
            retryable=retryable, auth=not retryable)


def _run_freebusy_job(job):
    """Ask Google for the busy times of one prepared job; returns ``(busy, errors)``."""
    busy, errors = defaultdict(list), {}
    for window_start, window_end in job["windows"]:
        for chunk in gmap.chunked(job["items"]):
            body = gmap.freebusy_request([item["query_id"] for item in chunk], window_start, window_end)
            answer = job["client"].execute(job["client"].service.freebusy().query(body=body))
            answered, failed = gmap.busy_from_freebusy(answer)
            for item in chunk:
                key = (item["consultant_id"], item["calendar"])
                if item["query_id"] in answered:
                    busy[key].extend(answered[item["query_id"]])
                else:
                    errors[key] = failed.get(item["query_id"]) or ["missing"]
    for key in errors:
        busy.pop(key, None)
    return dict(busy), errors


def _run_freebusy_jobs(jobs, results):
    """Run prepared free/busy jobs one after the other, filling ``results`` as each finishes.

    Runs in a helper thread during interactive refreshes, so it must not touch
    the database. ``results[index] = (busy, errors, exception)`` with
    ``busy = {(consultant_id, calendar): [(start, end), ...]}``.
    """
    for index, job in enumerate(jobs):
        try:
            busy, errors = _run_freebusy_job(job)
            results[index] = (busy, errors, None)
        except GoogleSyncError as error:
            results[index] = ({}, {}, error)
        except Exception as error:  # pylint: disable=broad-exception-caught  # a thread must report, never die
            _logger.exception("Unexpected error while reading Google Calendar busy times")
            results[index] = ({}, {}, GoogleSyncError(str(error), retryable=True))


class VoltaicGoogleConnection(models.Model):
    """The link between a consultant and Google Calendar (state, secrets, sync position)."""

    _name = "voltaic.google.connection"
    _description = "Google Calendar Connection"
    _rec_name = "consultant_id"

    consultant_id = fields.Many2one("voltaic.consultant", required=True, ondelete="cascade", index=True)
    state = fields.Selection(
        [("new", "Not Connected"), ("connected", "Connected"), ("broken", "Broken")],
        default="new", required=True, readonly=True)
    last_error = fields.Text(readonly=True)
    refresh_token = fields.Char(
        string="OAuth Refresh Token", groups="base.group_system", copy=False,
        help="Issued by Google when the consultant granted access; lets Odoo act in their calendar.")
    sync_token = fields.Char(groups="base.group_system", copy=False, help="Position of the incremental sync.")
    sync_calendar_id = fields.Char(copy=False, help="Calendar the sync token belongs to.")
    busy_refreshed_at = fields.Datetime(string="Busy Times Refreshed", readonly=True, copy=False)
    changes_synced_at = fields.Datetime(string="Changes Read", readonly=True, copy=False)
    activity_id = fields.Many2one("mail.activity", readonly=True, copy=False, ondelete="set null")

    _consultant_uniq = models.Constraint("UNIQUE(consultant_id)", "A consultant has one Google connection.")

    # ------------------------------------------------------------------
    # Settings and credentials
    # ------------------------------------------------------------------

    @api.model
    def _google_param(self, key, default=False):
        return self.env["ir.config_parameter"].sudo().get_param(PARAM_PREFIX + key, default)

    @api.model
    def _google_settings(self):
        def number(key, default):
            try:
                return float(self._google_param(key) or default)
            except ValueError:
                return default
        return {
            "auth_mode": self._google_param("auth_mode") or "oauth",
            "meet": bool(self._google_param("meet")),
            "invite_client": bool(self._google_param("invite_client")),
            "on_delete": self._google_param("on_delete") or "flag",
            "stale_minutes": number("stale_minutes", DEFAULT_STALE_MINUTES),
            "timeout": number("timeout_seconds", DEFAULT_TIMEOUT_SECONDS),
            "freebusy_subject": self._google_param("freebusy_subject") or "",
        }

    @api.model
    def _google_http(self, timeout=None):
        """The HTTP transport to Google (tests replace it with ``HttpMockSequence``)."""
        return httplib2.Http(timeout=timeout or HTTP_TIMEOUT)

    def _auth_mode(self):
        self.ensure_one()
        mode = self.consultant_id.google_auth_mode
        return self._google_settings()["auth_mode"] if mode in (False, "company") else mode

    @api.model
    def _service_account_credentials(self, subject):
        raw = self._google_param("service_account_key")
        if not raw:
            raise GoogleSyncError(self.env._("No service account key is configured."), missing=True)
        try:
            info = json.loads(raw)
            credentials = service_account.Credentials.from_service_account_info(
                info, scopes=[gmap.CALENDAR_SCOPE], subject=subject or None)
        except (ValueError, KeyError) as error:
            raise GoogleSyncError(self.env._("The service account key is not valid: %s", error), auth=True) from error
        fingerprint = hashlib.sha256(f"{info.get('private_key_id')}:{subject}".encode()).hexdigest()
        return credentials, (self.env.cr.dbname, "sa", fingerprint)

    def _credentials(self):
        """``(credentials, cache_key)`` of this connection; raise ``GoogleSyncError(auth=True)`` when missing."""
        self.ensure_one()
        if self._auth_mode() == "service_account":
            credentials, cache_key = self._service_account_credentials(self.consultant_id._google_account_email())
        else:
            refresh_token = self.sudo().refresh_token
            client_id = self._google_param("client_id")
            if not refresh_token:
                raise GoogleSyncError(self.env._("The Google account is not connected yet."), missing=True)
            if not client_id:
                raise GoogleSyncError(self.env._("No OAuth client id is configured."), missing=True)
            credentials = oauth_credentials.Credentials(
                None, refresh_token=refresh_token, client_id=client_id,
                client_secret=self._google_param("client_secret") or None,
                token_uri=gmap.TOKEN_URI, scopes=[gmap.CALENDAR_SCOPE])
            fingerprint = hashlib.sha256(refresh_token.encode()).hexdigest()
            cache_key = (self.env.cr.dbname, "oauth", fingerprint)
        cached = _TOKEN_CACHE.get(cache_key)
        if cached:
            credentials.token, credentials.expiry = cached
        return credentials, cache_key

    def _client(self, timeout=None):
        self.ensure_one()
        credentials, cache_key = self._credentials()
        return GoogleClient(credentials, self._google_http(timeout), cache_key)

    def _calendar_ids(self):
        """Calendars to read busy times from: the booking calendar first, then the extra ones."""
        self.ensure_one()
        consultant = self.consultant_id
        return gmap.split_calendar_ids(
            f"{consultant.google_calendar_id or 'primary'}\n{consultant.google_extra_calendar_ids or ''}")

    # ------------------------------------------------------------------
    # OAuth
    # ------------------------------------------------------------------

    @api.model
    def _oauth_redirect_uri(self):
        return f"{self.get_base_url()}/voltaic_booking/google/callback"

    def _oauth_exchange_code(self, code):
        """Trade the authorization code for a refresh token and start syncing with it."""
        self.ensure_one()
        body = urlencode({
            "code": code,
            "client_id": self._google_param("client_id") or "",
            "client_secret": self._google_param("client_secret") or "",
            "redirect_uri": self._oauth_redirect_uri(),
            "grant_type": "authorization_code",
        })
        try:
            response, content = self._google_http().request(
                gmap.TOKEN_URI, "POST", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        except (httplib2.HttpLib2Error, OSError) as error:
            raise GoogleSyncError(f"network: {error}", retryable=True) from error
        if int(response.status) != 200:
            reason, message = gmap.error_details(content)
            raise GoogleSyncError(f"{reason}: {message}", status=int(response.status), reason=reason)
        try:
            data = json.loads(content)
        except ValueError as error:
            raise GoogleSyncError(self.env._("Google's token answer is not JSON.")) from error
        if not data.get("refresh_token"):
            raise GoogleSyncError(self.env._("Google issued no refresh token; remove the app's access in the "
                                             "Google account and connect again."))
        self.sudo().write({"refresh_token": data["refresh_token"], "sync_token": False})
        self._mark_connected()
        self.busy_refreshed_at = False
        consultant = self.consultant_id
        if consultant.google_sync_enabled:
            self.env["voltaic.booking"].sudo().search([
                ("consultant_id", "=", consultant.id),
                ("state", "in", ("confirmed", "cancelled")),
                ("stop", ">", fields.Datetime.now()),
                ("google_sync_state", "in", ("pending", "failed")),
            ])._google_enqueue()
            self.env.ref("voltaic_booking.ir_cron_google_busy").sudo()._trigger_once()

    # ------------------------------------------------------------------
    # State
    # ------------------------------------------------------------------

    def _mark_connected(self):
        for connection in self:
            if connection.state == "broken":
                connection._close_activity(self.env._("The Google connection works again."))
            connection.write({"state": "connected", "last_error": False})

    def _mark_broken(self, error):
        """The credentials were refused: stop using them, tell the consultant (once)."""
        for connection in self:
            consultant = connection.consultant_id
            message = str(error)
            was_broken = connection.state == "broken"
            connection.write({"state": "broken", "last_error": message})
            if was_broken:
                continue
            _logger.warning("Google Calendar connection of %s is broken: %s", consultant.name, message)
            note = self.env._(
                "Google refused the credentials of %(consultant)s (%(error)s). Bookings are no longer "
                "copied to Google Calendar and its busy times are no longer read. Reconnect the Google "
                "account (or check the service account) from the consultant's Google Calendar tab.",
                consultant=consultant.name, error=message)
            activity = consultant.sudo().activity_schedule(
                "mail.mail_activity_data_warning",
                summary=self.env._("Reconnect Google Calendar"),
                note=note,
                user_id=consultant.user_id.id or self.env.uid,
            )
            connection.activity_id = activity
            consultant.sudo().message_post(body=note, subtype_xmlid="mail.mt_note")

    def _close_activity(self, feedback):
        for connection in self.filtered("activity_id"):
            connection.activity_id.sudo().action_feedback(feedback=feedback)
            connection.activity_id = False

    def _handle_error(self, error):
        """Record a failed call; a refused credential breaks the connection."""
        self.ensure_one()
        if error.auth and not error.missing:
            self._mark_broken(error)
        else:
            self.last_error = str(error)

    # ------------------------------------------------------------------
    # Busy times in
    # ------------------------------------------------------------------

    @api.model
    def _busy_horizon(self, consultants, now):
        longest = max(consultants.mapped("max_advance_days") or [0])
        return now - timedelta(hours=1), now + timedelta(days=longest + 2)

    def _busy_jobs(self, now, timeout=None):
        """Free/busy queries covering these connections, with their clients.

        Several calendars go into one query: a consultant's booking calendar
        and extra calendars together; with a service account and a
        "directory user" setting, the calendars of all consultants together.
        Connections whose credentials are missing are returned apart.
        """
        settings = self._google_settings()
        start, end = self._busy_horizon(self.consultant_id, now)
        windows = gmap.freebusy_windows(start, end)
        jobs, failed = [], []
        shared = []
        for connection in self:
            consultant = connection.consultant_id
            if settings["freebusy_subject"] and connection._auth_mode() == "service_account":
                shared.append(connection)
                continue
            try:
                client = connection._client(timeout)
            except GoogleSyncError as error:
                failed.append((connection, error))
                continue
            jobs.append({
                "connections": connection,
                "client": client,
                "windows": windows,
                "items": [
                    {"consultant_id": consultant.id, "calendar": calendar, "query_id": calendar}
                    for calendar in connection._calendar_ids()
                ],
            })
        if shared:
            connections = self.browse([connection.id for connection in shared])
            try:
                credentials, cache_key = self._service_account_credentials(settings["freebusy_subject"])
                client = GoogleClient(credentials, self._google_http(timeout), cache_key)
            except GoogleSyncError as error:
                failed.extend((connection, error) for connection in connections)
            else:
                items = []
                for connection in connections:
                    email = connection.consultant_id._google_account_email()
                    for calendar in connection._calendar_ids():
                        items.append({
                            "consultant_id": connection.consultant_id.id,
                            "calendar": calendar,
                            # "primary" means the impersonated user: name the consultant's calendar
                            "query_id": email if calendar == "primary" else calendar,
                        })
                jobs.append({"connections": connections, "client": client, "windows": windows, "items": items})
        return jobs, failed

    def _refresh_busy(self, timeout=None):
        """Read the busy times of these connections from Google and store them (cron, buttons)."""
        now = datetime.now(UTC)
        jobs, failed = self._busy_jobs(now, timeout)
        for connection, error in failed:
            connection._handle_error(error)
        results = {}
        _run_freebusy_jobs(jobs, results)
        return self._store_busy(jobs, results)

    def _refresh_busy_interactive(self, timeout):
        """Refresh before answering a slots request, waiting at most ``timeout`` seconds.

        What Google answers in time is used for the current answer (through
        ``cr.cache``) and stored when the transaction may write; if Google is
        slow, the stored busy times are used and the delay is logged.
        """
        stash = self.env.cr.cache.setdefault(BUSY_STASH_KEY, {})
        connections = self
        if not self.env.cr.readonly:
            # one refresh per connection at a time; the others use what is stored
            self.env.cr.execute(
                "SELECT id FROM unnest(%s) AS id WHERE pg_try_advisory_xact_lock(%s, id)",
                [connections.ids, ADVISORY_LOCK_NAMESPACE])
            connections = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not connections:
            return
        now = datetime.now(UTC)
        jobs, failed = connections._busy_jobs(now, timeout)
        for connection, error in failed:
            _logger.info("Google busy times of %s not refreshed: %s", connection.consultant_id.name, error)
            _INTERACTIVE_FAILURES[(self.env.cr.dbname, connection.id)] = time_module.monotonic()
        if not jobs:
            return
        results = {}
        worker = threading.Thread(
            target=_run_freebusy_jobs, args=(jobs, results), name="voltaic-google-freebusy", daemon=True)
        worker.start()
        worker.join(timeout)
        done = dict(results)
        if worker.is_alive():
            late = [job["connections"] for index, job in enumerate(jobs) if index not in done]
            names = ", ".join(self.browse().union(*late).consultant_id.mapped("name"))
            _logger.warning(
                "Google Calendar did not answer within %s s for %s: slots use the stored busy times",
                timeout, names)
            for connections_late in late:
                for connection in connections_late:
                    _INTERACTIVE_FAILURES[(self.env.cr.dbname, connection.id)] = time_module.monotonic()
        for index, (busy, _errors, error) in done.items():
            if error:
                _logger.warning("Google busy times not refreshed: %s", error)
                for connection in jobs[index]["connections"]:
                    _INTERACTIVE_FAILURES[(self.env.cr.dbname, connection.id)] = time_module.monotonic()
                continue
            for (consultant_id, calendar), intervals in busy.items():
                stash.setdefault(consultant_id, {})[calendar] = intervals
        if self.env.cr.readonly:
            return
        try:
            with self.env.cr.savepoint():
                self._store_busy([jobs[index] for index in done], {
                    position: done[index] for position, index in enumerate(done)}, report_errors=False)
        except Exception:  # pylint: disable=broad-exception-caught  # the answer must not fail because storing did
            _logger.warning("Could not store the Google busy times", exc_info=True)

    def _store_busy(self, jobs, results, report_errors=True):
        """Replace the stored busy times with the answers in ``results`` (see :func:`_run_freebusy_jobs`)."""
        Busy = self.env["voltaic.google.busy"].sudo()
        refreshed = self.browse()
        for index, job in enumerate(jobs):
            if index not in results:
                continue
            busy, errors, error = results[index]
            if error:
                if report_errors:
                    for connection in job["connections"]:
                        connection._handle_error(error)
                continue
            answered = defaultdict(dict)
            for item in job["items"]:
                key = (item["consultant_id"], item["calendar"])
                if key not in errors:
                    answered[item["consultant_id"]][item["calendar"]] = busy.get(key, [])
            for consultant_id, calendars in answered.items():
                Busy.search([
                    ("consultant_id", "=", consultant_id),
                    "|", ("calendar", "in", list(calendars)),
                    ("calendar", "not in", [item["calendar"] for item in job["items"]
                                            if item["consultant_id"] == consultant_id]),
                ]).unlink()
                Busy.create([
                    {"consultant_id": consultant_id, "calendar": calendar,
                     "start": start.replace(tzinfo=None), "stop": stop.replace(tzinfo=None)}
                    for calendar, intervals in calendars.items()
                    for start, stop in intervals
                ])
            for connection in job["connections"]:
                failed = {calendar: reasons for (consultant_id, calendar), reasons in errors.items()
                          if consultant_id == connection.consultant_id.id}
                if failed:
                    detail = "; ".join(f"{calendar}: {', '.join(reasons)}" for calendar, reasons in failed.items())
                    _logger.warning("Google free/busy failed for %s: %s", connection.consultant_id.name, detail)
                    connection.last_error = self.env._("Busy times not readable for %s", detail)
                elif connection.state != "connected" or connection.last_error:
                    connection._mark_connected()
                refreshed |= connection
        refreshed.busy_refreshed_at = fields.Datetime.now()
        return refreshed

    @api.model
    def _active_connections(self):
        """Connections of consultants who sync with Google and whose credentials were not refused."""
        consultants = self.env["voltaic.consultant"].sudo().search([("google_sync_enabled", "=", True)])
        connections = consultants._google_connection()
        return connections.filtered(lambda connection: connection.state != "broken")

    @api.model
    def _cron_refresh_busy(self):
        connections = self._active_connections().try_lock_for_update()
        # busy times of consultants who stopped syncing no longer count: drop them
        self.env["voltaic.google.busy"].sudo().search(
            [("consultant_id.google_sync_enabled", "=", False)]).unlink()
        if connections:
            connections._refresh_busy()
        self.env["ir.cron"]._commit_progress(len(connections), remaining=0)

    # ------------------------------------------------------------------
    # Changes back
    # ------------------------------------------------------------------

    @api.model
    def _cron_sync_changes(self):
        connections = self._active_connections().try_lock_for_update()
        for connection in connections:
            try:
                connection._sync_changes()
            except GoogleSyncError as error:
                connection._handle_error(error)
            self.env["ir.cron"]._commit_progress(1)

    def _sync_changes(self):
        """Read what changed in the booking calendar since the last time, and react on our events.

        Incremental with the sync token; a first run or an expired token
        (410) reads the calendar in full from yesterday on. Google does not
        accept an extended-property filter together with a sync token, so
        every change is read and ours are picked by id and private property.
        """
        self.ensure_one()
        consultant = self.consultant_id
        calendar = consultant.google_calendar_id or "primary"
        client = self._client()
        token = self.sudo().sync_token if self.sync_calendar_id == calendar else False
        try:
            next_token = self._read_changes(client, calendar, token)
        except GoogleSyncError as error:
            if error.status != 410 or not token:
                raise
            _logger.info("Google sync token of %s expired: full sync", consultant.name)
            next_token = self._read_changes(client, calendar, False)
        self.sudo().write({
            "sync_token": next_token,
            "sync_calendar_id": calendar,
            "changes_synced_at": fields.Datetime.now(),
        })
        if self.state != "connected":
            self._mark_connected()

    def _read_changes(self, client, calendar, token):
        params = {"calendarId": calendar, "showDeleted": True, "maxResults": 250}
        if token:
            params["syncToken"] = token
        else:
            params["timeMin"] = gmap.rfc3339(datetime.now(UTC) - timedelta(days=1))
        page_token = None
        while True:
            answer = client.execute(client.service.events().list(pageToken=page_token, **params))
            self._apply_changes(answer.get("items") or [])
            page_token = answer.get("nextPageToken")
            if not page_token:
                return answer.get("nextSyncToken")

    def _apply_changes(self, events):
        """Hand our events among ``events`` to their bookings.

        Ours are found by id (deleted events carry nothing else), which also
        covers events taken over from Odoo's own sync (ids chosen by Odoo).
        """
        self.ensure_one()
        by_id = {event["id"]: event for event in events if event.get("id")}
        if not by_id:
            return
        bookings = self.env["voltaic.booking"].sudo().search([
            ("consultant_id", "=", self.consultant_id.id),
            ("google_event_id", "in", list(by_id)),
        ])
        for booking in bookings:
            event = by_id[booking.google_event_id]
            reference = gmap.booking_reference(event)
            if reference and reference != booking.reference:
                _logger.warning("Google event %s carries booking %s, not %s: ignored",
                                event["id"], reference, booking.reference)
                continue
            booking._google_handle_remote_event(event)
