from markupsafe import Markup

from odoo import SUPERUSER_ID, fields, models
from odoo.exceptions import AccessError


class VoltaicBooking(models.Model):
    """Bookings that no longer fit the consultant's schedule wait for a manager's review.

    Set by ``voltaic.consultant._flag_bookings_out_of_schedule`` (working hours, time off, extra
    hours or booking rules changed) and by a move coming from a calendar sync; the booking is never
    moved or cancelled for it. A manager clears the flag ("Mark as Reviewed"); rescheduling,
    cancelling or completing the booking clears it too.
    """

    _inherit = "voltaic.booking"

    needs_review = fields.Boolean(
        index=True, copy=False, readonly=True, tracking=True,
        help="The consultant's schedule or rules changed and this consultation no longer fits them. "
             "Nothing was moved or cancelled: reschedule it, cancel it, or keep it and mark it as reviewed.")
    review_activity_id = fields.Many2one(
        "mail.activity", copy=False, ondelete="set null", export_string_translation=False)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_mark_reviewed(self):
        """Managers: keep the bookings as they are; the review is done."""
        if not self.env.user.has_group("voltaic_booking.group_manager"):
            raise AccessError(self.env._("Only consultation managers can mark consultations as reviewed."))
        self.check_access("write")
        self._clear_review(self.env._("Reviewed by %s: kept as booked.", self.env.user.name))
        return True

    # ------------------------------------------------------------------
    # Hooks: a booking that changes is reviewed by the change
    # ------------------------------------------------------------------

    def _notify_rescheduled(self, old_start):
        result = super()._notify_rescheduled(old_start)
        self._clear_review(self.env._("The consultation was rescheduled."))
        return result

    def _notify_cancelled(self):
        result = super()._notify_cancelled()
        self._clear_review(self.env._("The consultation was cancelled."))
        return result

    def _notify_completed(self):
        result = super()._notify_completed()
        self._clear_review(self.env._("The consultation is over."))
        return result

    def _notify_no_show(self):
        result = super()._notify_no_show()
        self._clear_review(self.env._("The consultation is over."))
        return result

    # ------------------------------------------------------------------
    # Flag and clear
    # ------------------------------------------------------------------

    def _flag_for_review(self, reasons):
        """Flag the bookings and give a manager a To-Do saying which booking and why, in their language.

        :param reasons: ``[(code, params), ...]`` (see ``_review_reason_text``).
        :return: the bookings newly flagged (those flagged already keep their open To-Do).
        """
        flagged = self.sudo().filtered(lambda booking: not booking.needs_review)
        for booking in flagged:
            reviewer = booking._review_user()
            localized = booking.with_context(lang=reviewer.lang or "en_US")
            activity = booking.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=localized.env._("Review consultation %s", booking.reference),
                note=localized._review_note(reasons, reviewer),
                user_id=reviewer.id,
            )
            booking.write({"needs_review": True, "review_activity_id": activity.id})
        return flagged

    def _clear_review(self, feedback):
        flagged = self.sudo().filtered("needs_review")
        for booking in flagged.filtered("review_activity_id"):
            booking.review_activity_id.action_feedback(feedback=feedback)
        flagged.write({"needs_review": False, "review_activity_id": False})

    def _review_user(self):
        """Who reviews: the manager who made the change, else the consultations' manager, else the consultant."""
        self.ensure_one()
        user = self.env.user
        if user.id != SUPERUSER_ID and not user.share and user.has_group("voltaic_booking.group_manager"):
            return user
        return self._google_manager_user()

    def _review_note(self, reasons, reviewer):
        """The To-Do's text, in the language of the environment (the reviewer's)."""
        self.ensure_one()
        tz_name = reviewer.tz or self.consultant_id.tz or "UTC"
        when = self._datetime_text(self.start, tz_name)
        lines = [self.env._(
            "Consultation %(reference)s with %(client)s on %(time)s (%(tz)s) needs a review:",
            reference=self.reference, client=self.client_name, time=when, tz=tz_name)]
        lines += [self._review_reason_text(code, params, tz_name) for code, params in reasons]
        lines.append(self.env._(
            "Nothing was moved or cancelled. Reschedule or cancel it (the client is told), or keep it and use "
            "“Mark as Reviewed”."))
        return Markup("<br/>").join(lines)

    def _review_reason_text(self, code, params, tz_name):
        consultant = self.consultant_id.name
        if code == "outside_hours":
            return self.env._(
                "It is no longer inside the working hours of %s (weekly hours, time off, public holidays and "
                "extra hours).", consultant)
        if code == "too_close":
            return self.env._(
                "With the buffers now set (%(before)s minutes before, %(after)s minutes after) it is too close to "
                "another consultation.", before=params["before"], after=params["after"])
        if code == "duration":
            return self.env._("%(consultant)s no longer offers %(minutes)s-minute meetings.",
                              consultant=consultant, minutes=self.duration)
        if code == "meeting_type":
            labels = dict(self._fields["meeting_type"]._description_selection(self.env))
            return self.env._("%(consultant)s no longer offers “%(type)s”.",
                              consultant=consultant, type=labels.get(self.meeting_type, self.meeting_type))
        if code == "not_accepting":
            return self.env._("%s no longer accepts bookings.", consultant)
        if code == "no_hours":
            return self.env._("%s has no working hours.", consultant)
        if code == "moved_externally":
            return self.env._(
                "Its meeting was moved to %s in a synchronised calendar (Google or Outlook). The booking kept its "
                "time: reschedule it if the new time suits.",
                self._datetime_text(params["start"], tz_name))
        return code
