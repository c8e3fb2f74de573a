# Load order. Each file defines or extends models for one concern; a file's overrides wrap
# (call ``super()`` into) those of the files above it:
#   booking (the booking service; imports consultant first) -> booking_crm (the lead follows the
#   booking, back office) -> booking_back_office (calendar titles, dates in the user's language) ->
#   booking_google (Google Calendar push) -> booking_outlook (next to Odoo's
#   Outlook sync) -> booking_idempotency ->
#   booking_message, booking_notification (mails, reminders, feedback; exactly-once log) ->
#   booking_meet (the Google Meet link becomes the one join link; confirmations wait for it) ->
#   booking_link (personal booking links sent from a lead) ->
#   booking_review (bookings that no longer fit the schedule wait for a manager) ->
#   booking_team (a team's booking: the service assigns the consultant) ->
#   calendar_event (meetings guarded: a move or delete goes through the service) -> client_data (download,
#   erase) -> booking_intake, booking_answer (intake answers on the booking, validated by the service,
#   erased with the client's data) -> consultant
#   and its concerns (offered durations, expertise, extra hours, Google, calendar syncs, schedule checks,
#   intake questions) -> crm_lead (booking from the opportunity) -> google_busy, google_sync ->
#   ir_cron (a job woken once per transaction), ir_http, legal_pages (example terms/privacy still in use),
#   question, question_option (intake questions and their choices), request_throttle, res_config_settings,
#   resource_calendar and its attendances and time off
#   (a change rechecks the consultants' bookings) -> team ("any available consultant" and its members),
#   website (its client-link cache) -> team_question (a team's intake questions; a booking through a team
#   asks them: extends booking_intake's hook).
from . import (
    booking,
    booking_crm,
    booking_back_office,
    booking_google,
    booking_outlook,
    booking_idempotency,
    booking_marketing,
    booking_message,
    booking_notification,
    booking_meet,
    booking_link,
    booking_review,
    booking_team,
    calendar_event,
    client_data,
    booking_intake,
    booking_answer,
    client_detail,
    consultant,
    consultant_duration,
    consultant_expertise,
    consultant_extra_hours,
    consultant_google,
    consultant_calendar_sync,
    consultant_schedule,
    consultant_question,
    crm_lead,
    google_busy,
    google_sync,
    ir_cron,
    ir_http,
    legal_pages,
    question,
    question_option,
    request_throttle,
    res_config_settings,
    resource_calendar,
    resource_calendar_attendance,
    resource_calendar_leaves,
    website,
    team,
    team_question,
)
