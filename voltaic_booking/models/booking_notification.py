"""The e-mails of a booking: confirmation, changes, reminders and follow-ups, each exactly once.

Event mails (booked, cancelled, rescheduled) are queued by the foundation's
hooks inside the transaction that changes the booking; timed mails
(reminders, follow-ups) by one cron job. Either way the mail goes through
Odoo's mail queue (never sent inside the transaction) and a row of
``voltaic.booking.message`` is inserted in the same transaction: its unique
index settles every race, so a message goes out once even with two workers.
A mail the SMTP server refused for a passing reason is queued again later.
"""

import base64
import logging
from datetime import timedelta

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import ConcurrencyError, UserError
from odoo.fields import Domain
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, formataddr

from ..lib import notification_times as ntimes
from ..lib import zone_names
from ..lib.calendar_links import google_calendar_url, outlook_calendar_url
from .booking import _expected_conflict
from .booking_message import MESSAGE_KINDS

_logger = logging.getLogger(__name__)

TEMPLATES = {kind: f"voltaic_booking.mail_template_{kind}" for kind, _label in MESSAGE_KINDS}
ICS_KINDS = {
    "client_confirmation", "consultant_confirmation", "client_cancellation", "consultant_cancellation",
    "client_reschedule", "consultant_reschedule",
}
# the client's mails about the booking itself, which a provider that mails its clients already sends
CLIENT_CHANGE_KINDS = {"client_confirmation", "client_cancellation", "client_reschedule"}
MAIL_LAYOUT = "voltaic_booking.mail_layout_booking"

# settings (ir.config_parameter, without the "voltaic_booking." prefix) and their defaults
TIMINGS = {
    "reminder_client_first_hours": 24,
    "reminder_client_last_hours": 2,
    "reminder_consultant_hours": 4,
    "feedback_delay_hours": 24,
    "no_show_delay_hours": 1,
    "auto_complete_minutes": 60,
}
# a follow-up more late than this (after a long downtime, or for an old imported meeting) is not sent
FOLLOW_UP_MAX_LATENESS = timedelta(days=7)
BATCH_SIZE = 500


class VoltaicBooking(models.Model):
    _inherit = "voltaic.booking"

    rating = fields.Integer(default=0, copy=False, help="The client's rating from 1 to 5; 0 when not rated.")
    feedback = fields.Text(copy=False, help="The client's comment on the consultation.")
    feedback_at = fields.Datetime(string="Feedback Received", readonly=True, copy=False)
    completed_at = fields.Datetime(string="Completed On", readonly=True, copy=False)
    no_show_at = fields.Datetime(string="Marked No-Show On", readonly=True, copy=False)
    scheduled_at = fields.Datetime(
        string="Time Set On", readonly=True, copy=False, default=fields.Datetime.now,
        help="When the booking got its current time (booked or last rescheduled); a reminder whose time had "
             "already come by then is not sent.")
    previous_start = fields.Datetime(readonly=True, copy=False)
    email_log_ids = fields.One2many("voltaic.booking.message", "booking_id", string="E-mails", readonly=True)

    _rating_range = models.Constraint("CHECK(rating >= 0 AND rating <= 5)", "A rating goes from 1 to 5.")

    # ------------------------------------------------------------------
    # Hooks of the booking service
    # ------------------------------------------------------------------

    def _notify_booked(self):
        """Confirmation to the client and notice to the consultant.

        Only confirmed bookings are announced; a booking confirmed later (a
        held slot) calls this hook again: each mail still goes once.
        """
        result = super()._notify_booked()
        confirmed = self.filtered(lambda booking: booking.state == "confirmed")
        # rendering is the dearest part of a booking: the e-mail job does it right after the commit
        confirmed._queue_email("client_confirmation", defer=True)
        confirmed._queue_email("consultant_confirmation", defer=True)
        return result

    def _notify_cancelled(self):
        result = super()._notify_cancelled()
        self._queue_email("client_cancellation")
        self._queue_email("consultant_cancellation")
        return result

    def _notify_rescheduled(self, old_start):
        result = super()._notify_rescheduled(old_start)
        self.sudo().write({"previous_start": old_start, "scheduled_at": fields.Datetime.now()})
        self._queue_email("client_reschedule")
        self._queue_email("consultant_reschedule")
        return result

    def _notify_completed(self):
        """Remember when the meeting was completed: the feedback request goes out a while after.

        Completed by the cron after the end, the meeting counts as completed
        at its end; by the consultant, when they say so.
        """
        result = super()._notify_completed()
        now = fields.Datetime.now()
        auto = self.env.context.get("voltaic_auto_complete")
        for booking in self.sudo():
            booking.completed_at = min(booking.stop, now) if auto else now
        return result

    def _notify_no_show(self):
        result = super()._notify_no_show()
        self.sudo().write({"no_show_at": fields.Datetime.now()})
        return result

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_send_reminder(self):
        """Send each client the next reminder of their upcoming consultation now.

        The reminder sent is the one the client would get next (it then
        does not go again at its time); when all were sent already, the
        last one is sent again.
        """
        self.check_access("write")
        now = fields.Datetime.now()
        offsets = self._reminder_offsets()["client"]
        sent = self.browse()
        for booking in self.sudo():
            if booking.state != "confirmed" or booking.start <= now:
                continue
            kind, already_sent = ntimes.next_reminder(booking.start, now, offsets, booking._sent_kinds())
            if kind and booking._queue_email(kind, manual=already_sent):
                sent |= booking
        if not sent:
            raise UserError(self.env._("Reminders go only to confirmed consultations that have not started yet."))
        skipped = len(self) - len(sent)
        message = self.env._("Reminder queued for %(count)s consultation(s).", count=len(sent))
        if skipped:
            message += " " + self.env._("%(count)s skipped (not upcoming or not confirmed).", count=skipped)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "success", "message": message, "next": {"type": "ir.actions.act_window_close"}},
        }

    # ------------------------------------------------------------------
    # Self-service
    # ------------------------------------------------------------------

    def _rebook(self, new_start):
        """A client who missed the meeting books a new time: a new booking through the booking
        service, with the same details and for the same opportunity.

        :raise SlotUnavailableError: the time is gone.
        :return: the new booking (sudo).
        """
        self.ensure_one()
        if self.state != "no_show":
            raise UserError(self.env._("Only a missed consultation can be booked again (%s).", self.reference))
        booking = self.sudo()
        new_booking = booking._book({
            "consultant_id": booking.consultant_id.id,
            "start": new_start,
            "duration": booking.duration,
            "meeting_type": booking.meeting_type,
            "client_tz": booking.client_tz,
            "first_name": booking.first_name,
            "last_name": booking.last_name,
            "email": booking.email,
            "phone": booking.phone,
            "company": booking.company,
            "website": booking.website,
            "position": booking.position,
            "subject": booking.subject,
            "message": booking.message,
            "language": booking.language,
            "terms_accepted": booking.terms_accepted,
            "privacy_accepted": booking.privacy_accepted,
            "marketing_consent": booking.marketing_consent,
            "source": booking.source,
            "lead_id": booking.lead_id.id,
        })
        booking.message_post(body=self.env._(
            "The client booked a new time after missing this consultation: %s.", new_booking.reference))
        return new_booking

    def _record_feedback(self, rating, comment):
        """Store the client's rating (1-5) and comment, and tell the consultant in the chatter."""
        self.ensure_one()
        booking = self.sudo()
        booking.write({"rating": rating, "feedback": comment or False, "feedback_at": fields.Datetime.now()})
        body = self.env._("Client feedback: %(rating)s/5", rating=rating)
        if comment:
            body += f" – {comment}"
        booking.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _booking_page_url(self):
        self.ensure_one()
        return f"{self._client_base_url()}{self._url_lang_prefix()}/book-consultation"

    # ------------------------------------------------------------------
    # Queueing, exactly once
    # ------------------------------------------------------------------

    @api.model
    def _email_template_xmlid(self, kind):
        """The mail template of the e-mail ``kind``; an extension that adds kinds maps them to its own."""
        return TEMPLATES[kind]

    def _mail_cancellation_notes(self):
        """Paragraphs the client's cancellation e-mail adds (in the e-mail's language); e.g. what happens
        to money paid. None in the core."""
        self.ensure_one()
        return []

    def _email_wanted(self, kind):
        """Whether the e-mail ``kind`` goes out for this booking.

        The client's confirmation and change notices stay back when
        ``_skip_client_confirmation()`` says so (e.g. an external scheduler already mails
        its invitees); override for other rules.
        """
        self.ensure_one()
        if kind in CLIENT_CHANGE_KINDS and self._skip_client_confirmation():
            return False
        return True

    def _queue_email(self, kind, manual=False, defer=False):
        """Queue the e-mail ``kind`` of each booking, once per booking and calendar revision.

        :param manual: a reminder asked for by hand, which may repeat.
        :param defer: only claim the e-mail here (its row, in this transaction, still makes it go
            once); the e-mail job (``_cron_prepare_emails``), triggered for right after the commit,
            renders it into the mail queue. Keeps the rendering out of a booking request.
        :return: the bookings it was queued for.
        """
        template = self.env.ref(self._email_template_xmlid(kind), raise_if_not_found=False)
        queued = self.browse()
        if not template:
            _logger.warning("Mail template %s is missing: %s not sent.", self._email_template_xmlid(kind), kind)
            return queued
        for booking in self.sudo():
            if not booking._email_wanted(kind):
                continue
            log_id = booking._claim_email(kind, manual, render_pending=defer)
            if not log_id:
                continue
            if defer or booking._prepare_email(self.env["voltaic.booking.message"].sudo().browse(log_id)):
                queued |= booking
        if queued:
            job = "voltaic_booking.ir_cron_booking_emails" if defer else "mail.ir_cron_mail_scheduler_action"
            self.env.ref(job).sudo()._trigger_once()
        return queued

    @api.model
    def _cron_prepare_emails(self):
        """Render the e-mails claimed with ``_queue_email(defer=True)`` into the mail queue.

        Each claimed row is rendered once: it is locked (a second run skips it) and marked done in
        the same transaction that queues its ``mail.mail``.
        :return: how many e-mails were rendered.
        """
        pending = self._email_render_domain()
        log_model = self.env["voltaic.booking.message"].sudo()
        logs = log_model.search(pending, order="id", limit=BATCH_SIZE).try_lock_for_update()
        prepared = sum(log.booking_id._prepare_email(log) for log in logs)
        if prepared:
            self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger_once()
        if self.env.context.get("ir_cron_progress_id"):
            # a full batch: the job runs again right away for the rest
            remaining = log_model.search_count(pending) if len(logs) == BATCH_SIZE else 0
            self.env["ir.cron"]._commit_progress(prepared, remaining=remaining)
        return prepared

    @api.model
    def _email_render_domain(self):
        """The claimed e-mails (``voltaic.booking.message``) the e-mail job renders now; an override may
        hold some back for a while (e.g. until the meeting's link arrives, ``booking_meet.py``)."""
        return Domain("render_pending", "=", True)

    def _prepare_email(self, log):
        """Render the claimed e-mail ``log`` of this booking into the mail queue; True when queued.

        A template that fails to render loses only this e-mail: the claim is dropped (as if never
        queued) and the booking's chatter says why.
        """
        self.ensure_one()
        template = self.env.ref(self._email_template_xmlid(log.kind), raise_if_not_found=False)
        if not template:
            _logger.warning("Mail template %s is missing: %s not sent.", self._email_template_xmlid(log.kind),
                            log.kind)
            log.unlink()
            return False
        try:
            with self.env.cr.savepoint():
                mail = self._render_email(template.sudo(), log.kind)
                log.write({
                    "mail_id": mail.id,
                    "email_to": mail.email_to or ", ".join(mail.recipient_ids.mapped("email_formatted")),
                    "render_pending": False,
                })
        except (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, ConcurrencyError):
            raise
        except Exception as error:  # pylint: disable=broad-exception-caught  # a broken template must not break a booking
            _logger.exception("Could not queue the %s e-mail of booking %s", log.kind, self.reference)
            labels = dict(self.env["voltaic.booking.message"]._fields["kind"]._description_selection(self.env))
            self.message_post(body=self.env._(
                "The e-mail “%(kind)s” could not be prepared: %(error)s", kind=labels[log.kind], error=error))
            log.unlink()
            return False
        return True

    def _claim_email(self, kind, manual=False, render_pending=False):
        """Record the e-mail ``kind`` as sent; return the new log id, or None if it already was.

        The row is inserted with ``ON CONFLICT DO NOTHING`` against the
        unique index: a concurrent transaction that inserted it first wins,
        whether it is still running (we wait for it) or has committed.
        """
        self.ensure_one()
        now = fields.Datetime.now()
        uid = self.env.uid
        query = SQL(
            """INSERT INTO voltaic_booking_message
                   (booking_id, kind, revision, manual, render_pending, retry_count,
                    create_uid, create_date, write_uid, write_date)
               VALUES (%s, %s, %s, %s, %s, 0, %s, %s, %s, %s)
               ON CONFLICT (booking_id, kind, revision) WHERE manual IS NOT TRUE DO NOTHING
               RETURNING id""",
            self.id, kind, self.ics_sequence, bool(manual), bool(render_pending), uid, now, uid, now,
        )
        self.env["voltaic.booking.message"].flush_model()
        try:
            with _expected_conflict(), self.env.cr.savepoint():
                self.env.cr.execute(query)
                row = self.env.cr.fetchone()
        except (psycopg2.errors.SerializationFailure, psycopg2.errors.UniqueViolation):
            # committed by a concurrent transaction after ours began: it was sent there
            return None
        self.env["voltaic.booking.message"].invalidate_model()
        self.invalidate_recordset(["email_log_ids"])
        return row[0] if row else None

    def _render_email(self, template, kind):
        """Render ``template`` for this booking into a queued ``mail.mail`` (sent by the mail queue)."""
        self.ensure_one()
        company = self.company_id or self.env.company
        email_values = {"author_id": company.partner_id.id}
        if kind in ICS_KINDS:
            email_values["attachments"] = [
                (f"{self.reference}.ics", base64.b64encode(self._ics_content())),
            ]
        # the layout reads the kind (e.g. only the client's own e-mails carry their marketing link)
        mail_id = template.with_context(voltaic_mail_kind=kind).send_mail(
            self.id, force_send=False, email_layout_xmlid=MAIL_LAYOUT, email_values=email_values)
        return self.env["mail.mail"].sudo().browse(mail_id)

    def _sent_kinds(self):
        """Kinds of automatic e-mails already queued for the booking's current revision."""
        self.ensure_one()
        return {
            log.kind for log in self.sudo().email_log_ids
            if log.revision == self.ics_sequence and not log.manual
        }

    # ------------------------------------------------------------------
    # The cron job
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_notifications(self):
        """Complete finished meetings, then queue the reminders and follow-ups that are due.

        Safe to run in several workers at once and to repeat: every
        message is claimed by a unique row in the same transaction.
        """
        now = fields.Datetime.now()
        completed, batch_full = self._auto_complete(now)
        processed = completed + self._send_due_reminders(now)
        processed += self._send_due_follow_ups(now)
        processed += self.env["voltaic.booking.message"]._retry_failed_mails(now)
        if self.env.context.get("ir_cron_progress_id"):
            # a full batch of finished meetings: run again right away for the rest
            remaining = self._notifications_backlog(now) if batch_full else 0
            self.env["ir.cron"]._commit_progress(processed, remaining=remaining)
        return processed

    @api.model
    def _timing(self, name):
        """A timing setting (hours or minutes), its default when unset or invalid."""
        value = self.env["ir.config_parameter"].sudo().get_param(f"voltaic_booking.{name}")
        try:
            value = int(value)
        except (TypeError, ValueError):
            return TIMINGS[name]
        return value if value > 0 else TIMINGS[name]

    @api.model
    def _reminder_offsets(self):
        return {
            "client": {
                "client_reminder": timedelta(hours=self._timing("reminder_client_first_hours")),
                "client_last_reminder": timedelta(hours=self._timing("reminder_client_last_hours")),
            },
            "consultant": {
                "consultant_reminder": timedelta(hours=self._timing("reminder_consultant_hours")),
            },
        }

    @api.model
    def _lock_for_notifications(self, bookings):
        """The bookings this transaction could lock; those another worker holds are skipped.

        A booking changed by a transaction that committed since ours began
        cannot be locked here (serialization failure): skip it, the next run
        sees it fresh.
        """
        try:
            with _expected_conflict(), self.env.cr.savepoint():
                return bookings.try_lock_for_update(allow_referencing=True)
        except psycopg2.errors.SerializationFailure:
            _logger.debug("Some bookings changed meanwhile; locking them one by one.")
        locked = bookings.browse()
        for booking in bookings:
            try:
                with _expected_conflict(), self.env.cr.savepoint():
                    locked |= booking.try_lock_for_update(allow_referencing=True)
            except psycopg2.errors.SerializationFailure:
                continue
        return locked

    @api.model
    def _auto_complete(self, now):
        """Confirmed meetings that ended a while ago are completed (the lead and the follow-ups follow).

        :return: ``(completed, batch_full)``.
        """
        grace = timedelta(minutes=self._timing("auto_complete_minutes"))
        bookings = self.sudo().search(
            [("state", "=", "confirmed"), ("stop", "<=", now - grace)], order="stop", limit=BATCH_SIZE)
        completed = 0
        for booking in self._lock_for_notifications(bookings):
            try:
                with self.env.cr.savepoint():
                    booking.with_context(voltaic_auto_complete=True).action_complete()
            except (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, ConcurrencyError):
                raise
            except Exception:  # pylint: disable=broad-exception-caught  # one failing booking must not hold back the others
                _logger.exception("Could not complete booking %s automatically", booking.reference)
                continue
            completed += 1
        return completed, len(bookings) == BATCH_SIZE

    @api.model
    def _send_due_reminders(self, now):
        offsets = self._reminder_offsets()
        horizon = max(offset for family in offsets.values() for offset in family.values())
        candidates = self.sudo().search([
            ("state", "=", "confirmed"), ("start", ">", now), ("start", "<=", now + horizon),
        ], order="start")
        due = []
        for booking in candidates:
            sent = booking._sent_kinds()
            for family in offsets.values():
                kind = ntimes.due_reminder(booking.start, booking.scheduled_at or booking.create_date, now, family)
                if kind and kind not in sent:
                    due.append((booking, kind))
        if not due:
            return 0
        locked = self._lock_for_notifications(self.browse({booking.id for booking, _kind in due}))
        count = 0
        for booking, kind in due:
            if booking in locked and booking._queue_email(kind):
                count += 1
        return count

    @api.model
    def _send_due_follow_ups(self, now):
        feedback_delay = timedelta(hours=self._timing("feedback_delay_hours"))
        no_show_delay = timedelta(hours=self._timing("no_show_delay_hours"))
        oldest = now - FOLLOW_UP_MAX_LATENESS
        due = []
        completed = self.sudo().search([
            ("state", "=", "completed"),
            ("rating", "=", 0),
            ("completed_at", "<=", now - feedback_delay),
            ("completed_at", ">=", oldest - feedback_delay),
            ("email_log_ids", "not any", [("kind", "=", "client_feedback")]),
        ], order="completed_at")
        due += [
            (booking, "client_feedback") for booking in completed
            if ntimes.follow_up_due(booking.completed_at, now, feedback_delay, FOLLOW_UP_MAX_LATENESS)
        ]
        missed = self.sudo().search([
            ("state", "=", "no_show"),
            ("stop", "<=", now - no_show_delay),
            ("no_show_at", ">=", oldest - no_show_delay),
            ("email_log_ids", "not any", [("kind", "=", "client_no_show")]),
        ], order="stop")
        due += [
            (booking, "client_no_show") for booking in missed
            if ntimes.follow_up_due(
                max(booking.stop, (booking.no_show_at or booking.stop) - no_show_delay),
                now, no_show_delay, FOLLOW_UP_MAX_LATENESS)
        ]
        if not due:
            return 0
        due = due[:BATCH_SIZE]
        locked = self._lock_for_notifications(self.browse({booking.id for booking, _kind in due}))
        count = 0
        for booking, kind in due:
            if booking in locked and booking._queue_email(kind):
                count += 1
        return count

    @api.model
    def _notifications_backlog(self, now):
        """Work the job left for its next round (it processes batches)."""
        grace = timedelta(minutes=self._timing("auto_complete_minutes"))
        return self.sudo().search_count([("state", "=", "confirmed"), ("stop", "<=", now - grace)])

    # ------------------------------------------------------------------
    # Values for the templates and pages
    # ------------------------------------------------------------------

    def _mail_lang(self):
        """The client's language as a code (``de_DE``, ``en_US``): the language of their e-mails."""
        self.ensure_one()
        return self._lang_code(self.language)

    def _mail_consultant_lang(self):
        self.ensure_one()
        return self.consultant_id.user_id.lang or "en_US"

    def _mail_client_to(self):
        self.ensure_one()
        return formataddr((self.client_name or "", self.email or ""))

    def _mail_tz(self, audience="client"):
        self.ensure_one()
        if audience == "consultant":
            return self.consultant_id.tz or self.client_tz or "UTC"
        return self.client_tz or self.consultant_id.tz or "UTC"

    def _mail_when(self, audience="client", start=None):
        """The meeting's time in the audience's zone and the rendering language, e.g.
        ``Tuesday, March 3, 2026, 10:00 AM – 11:00 AM (Central European Time — Berlin (UTC+1))``: the zone
        spelled as everywhere else (pages, picker), see ``lib/zone_names.py``."""
        self.ensure_one()
        tz_name = self._mail_tz(audience)
        start = start or self.start
        stop = start + (self.stop - self.start)
        lang = self.env.lang or "en_US"
        text = ntimes.local_range_text(start, stop, tz_name, lang)
        try:
            zone_text = zone_names.zone_label(tz_name, start, lang)
        except (ValueError, LookupError):
            zone_text = f"{tz_name}, {ntimes.utc_offset_text(start, tz_name)}"
        return f"{text} ({zone_text})"

    def _mail_previous_when(self, audience="client"):
        self.ensure_one()
        return self._mail_when(audience, start=self.previous_start) if self.previous_start else ""

    def _mail_meeting_type(self):
        self.ensure_one()
        return dict(self._fields["meeting_type"]._description_selection(self.env)).get(self.meeting_type, "")

    def _mail_is_link(self):
        self.ensure_one()
        return (self.location or "").startswith(("http://", "https://"))

    def _mail_edit_deadline(self):
        """The last moment (naive UTC) the client may change the booking online."""
        self.ensure_one()
        return self.start - timedelta(hours=max(self.consultant_id.edit_deadline_hours or 0, 0))

    def _client_can_edit(self, now=None):
        self.ensure_one()
        now = now or fields.Datetime.now()
        return self.state == "confirmed" and now < self._mail_edit_deadline()

    def _mail_edit_deadline_text(self):
        self.ensure_one()
        return ntimes.local_datetime_text(self._mail_edit_deadline(), self._mail_tz(), self.env.lang or "en_US")

    def _url_lang_prefix(self):
        """``/de`` when the client's language is a website language other than the default one."""
        self.ensure_one()
        lang_code = self._mail_lang()
        website = self._client_website()
        if not website or lang_code == website.default_lang_id.code:
            return ""
        lang = website.language_ids.filtered(lambda website_lang: website_lang.code == lang_code)
        return f"/{lang.url_code}" if lang else ""

    def _manage_url(self):
        self.ensure_one()
        return (f"{self._client_base_url()}{self._url_lang_prefix()}/book-consultation/manage/"
                f"{self.reference}?token={self._portal_ensure_token()}")

    def _client_reschedule_url(self):
        """Where the client's mails send them to move the booking: the page where it is moved elsewhere
        (``_external_reschedule_url``), else the reschedule section of our manage page."""
        self.ensure_one()
        return self._external_reschedule_url() or f"{self._manage_url()}#reschedule"

    def _client_cancel_url(self):
        """Where the client's mails send them to cancel: the cancel section of our manage page."""
        self.ensure_one()
        return f"{self._manage_url()}#cancel"

    def _feedback_url(self, rating=None):
        self.ensure_one()
        url = (f"{self._client_base_url()}{self._url_lang_prefix()}/book-consultation/feedback/"
               f"{self.reference}?token={self._portal_ensure_token()}")
        return f"{url}&rating={int(rating)}" if rating else url

    def _calendar_texts(self):
        self.ensure_one()
        title = self.env._("Consultation with %s", self.consultant_id.name)
        return title, self._calendar_description()

    def _mail_links(self):
        """Every link an e-mail or page of this booking may show."""
        self.ensure_one()
        title, details = self._calendar_texts()
        location = self.location or ""
        return {
            "manage_url": self._manage_url(),
            "reschedule_url": self._client_reschedule_url(),
            "cancel_url": self._client_cancel_url(),
            "ics_url": self._public_urls()["ics_url"],
            "google_url": google_calendar_url(self.start, self.stop, title, details, location),
            "outlook_url": outlook_calendar_url(self.start, self.stop, title, details, location),
            "feedback_url": self._feedback_url(),
            "lead_url": self.lead_id._notify_get_action_link("view") if self.lead_id else "",
            "booking_url": self._notify_get_action_link("view"),
        }

    def _mail_previous_bookings(self, limit=5):
        """The client's other consultations before this one (newest first), for the consultant."""
        self.ensure_one()
        domain = [("id", "!=", self.id), ("start", "<", self.start)]
        if self.partner_id:
            domain.append(("partner_id", "=", self.partner_id.id))
        else:
            domain.append(("email", "=ilike", self.email))
        return self.sudo().search(domain, order="start desc", limit=limit)

    def _mail_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env)).get(self.state, "")
