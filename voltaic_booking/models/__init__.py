# Load order. Each file defines or extends models for one concern; a file's overrides wrap
# (call ``super()`` into) those of the files above it:
#   booking (the booking service; imports consultant first) -> booking_crm (the lead follows the
#   booking, back office) -> booking_google (Google Calendar push) -> booking_outlook (next to Odoo's
#   Outlook sync) -> booking_idempotency ->
#   booking_message, booking_notification (mails, reminders, feedback; exactly-once log) ->
#   booking_review (bookings that no longer fit the schedule wait for a manager) ->
#   calendar_event (meetings guarded: a move or delete goes through the service) -> client_data (download,
#   erase) -> consultant
#   and its concerns (offered durations, expertise, extra hours, Google, calendar syncs, schedule checks) -> crm_lead
#   (booking from the opportunity) -> google_busy, google_sync ->
#   ir_cron (a job woken once per transaction), ir_http, legal_pages (example terms/privacy still in use),
#   request_throttle, res_config_settings,
#   resource_calendar and its attendances and time off
#   (a change rechecks the consultants' bookings).
from . import (
    booking,
    booking_crm,
    booking_google,
    booking_outlook,
    booking_idempotency,
    booking_marketing,
    booking_message,
    booking_notification,
    booking_review,
    calendar_event,
    client_data,
    client_detail,
    consultant,
    consultant_duration,
    consultant_expertise,
    consultant_extra_hours,
    consultant_google,
    consultant_calendar_sync,
    consultant_schedule,
    crm_lead,
    google_busy,
    google_sync,
    ir_cron,
    ir_http,
    legal_pages,
    request_throttle,
    res_config_settings,
    resource_calendar,
    resource_calendar_attendance,
    resource_calendar_leaves,
)
