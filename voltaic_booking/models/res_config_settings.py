from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # --- booking (foundation) ---
    voltaic_rate_limit_per_minute = fields.Integer(
        string="Public Requests per Minute and IP",
        config_parameter="voltaic_booking.rate_limit_per_minute", default=10,
        help="Limit of public booking requests per client IP and minute; 0 disables it.")
    voltaic_api_cors_origins = fields.Char(
        string="API Origins (CORS)", config_parameter="voltaic_booking.api_cors_origins",
        help="Web sites whose pages may call the JSON API from the browser, e.g. https://app.example.com, "
             "separated by commas or spaces; empty allows none.")
    voltaic_terms_url = fields.Char(
        string="Terms Page", config_parameter="voltaic_booking.terms_url",
        help="The terms and conditions the booking form links to (a path on this website or a full URL).")
    voltaic_privacy_url = fields.Char(
        string="Privacy Page", config_parameter="voltaic_booking.privacy_url",
        help="The privacy policy the booking form links to (a path on this website or a full URL).")
    voltaic_legal_warning = fields.Char(compute="_compute_voltaic_legal_warning")
    # --- notifications (issue 5) ---
    voltaic_reminder_client_first_hours = fields.Integer(
        string="First Client Reminder (hours before)", config_parameter="voltaic_booking.reminder_client_first_hours",
        default=24, help="The client's first reminder goes this many hours before the meeting.")
    voltaic_reminder_client_last_hours = fields.Integer(
        string="Last Client Reminder (hours before)", config_parameter="voltaic_booking.reminder_client_last_hours",
        default=2, help="The client's last reminder, with the meeting link, goes this many hours before the meeting.")
    voltaic_reminder_consultant_hours = fields.Integer(
        string="Consultant Reminder (hours before)", config_parameter="voltaic_booking.reminder_consultant_hours",
        default=4, help="The consultant's reminder with the client's background goes this many hours before.")
    voltaic_feedback_delay_hours = fields.Integer(
        string="Feedback Request (hours after)", config_parameter="voltaic_booking.feedback_delay_hours",
        default=24, help="The request for feedback goes this many hours after the consultation was completed.")
    voltaic_no_show_delay_hours = fields.Integer(
        string="Missed Meeting Follow-Up (hours after)", config_parameter="voltaic_booking.no_show_delay_hours",
        default=1, help="A client who missed the meeting is offered a new time this many hours after its end.")
    voltaic_auto_complete_minutes = fields.Integer(
        string="Complete Automatically (minutes after the end)",
        config_parameter="voltaic_booking.auto_complete_minutes", default=60,
        help="Confirmed consultations become completed this long after their end, unless the consultant marked "
             "them otherwise.")
    voltaic_notification_cron_id = fields.Many2one(
        "ir.cron", string="Reminder Job",
        default=lambda self: self.env.ref("voltaic_booking.ir_cron_booking_notifications", raise_if_not_found=False))
    voltaic_notification_cron_minutes = fields.Integer(
        string="Check Every (minutes)", related="voltaic_notification_cron_id.interval_number", readonly=False)
    # --- crm and back office (issue 6) ---
    voltaic_stage_scheduled_id = fields.Many2one(
        "crm.stage", string="Stage When a Consultation Is Scheduled",
        config_parameter="voltaic_booking.stage_scheduled_id",
        help="Open opportunities move to this stage when a consultation is booked; empty keeps the stage.")
    voltaic_stage_completed_id = fields.Many2one(
        "crm.stage", string="Stage When a Consultation Is Completed",
        config_parameter="voltaic_booking.stage_completed_id",
        help="Open opportunities move to this stage when a consultation is marked completed.")
    voltaic_stage_follow_up_id = fields.Many2one(
        "crm.stage", string="Stage When a Follow-Up Is Required",
        config_parameter="voltaic_booking.stage_follow_up_id",
        help="Open opportunities move to this stage after a no-show or a cancellation "
             "(unless another consultation is still ahead).")
    voltaic_follow_up_activity_type_id = fields.Many2one(
        "mail.activity.type", string="Follow-Up Activity",
        config_parameter="voltaic_booking.follow_up_activity_type_id",
        domain="[('res_model', 'in', [False, 'crm.lead'])]",
        help="Activity planned for the salesperson after a completed consultation (To-Do when empty).")
    voltaic_follow_up_delay_days = fields.Integer(
        string="Follow-Up Due After (days)", config_parameter="voltaic_booking.follow_up_delay_days", default=2)
    # --- google calendar (issue 7) ---
    voltaic_google_auth_mode = fields.Selection(
        [("oauth", "Each Consultant's Google Account (OAuth)"),
         ("service_account", "Company Service Account (Domain-Wide Delegation)")],
        string="Google Access", config_parameter="voltaic_booking.google_auth_mode", default="oauth",
        help="Default way to reach the consultants' calendars; a consultant can override it.")
    voltaic_google_client_id = fields.Char(
        string="OAuth Client ID", config_parameter="voltaic_booking.google_client_id")
    voltaic_google_client_secret = fields.Char(
        string="OAuth Client Secret", config_parameter="voltaic_booking.google_client_secret",
        groups="base.group_system")
    voltaic_google_service_account_key = fields.Char(
        string="Service Account Key (JSON)", config_parameter="voltaic_booking.google_service_account_key",
        groups="base.group_system", help="The JSON key file of a service account with domain-wide delegation "
                                         "for the Calendar scope. Only administrators can read it.")
    voltaic_google_freebusy_subject = fields.Char(
        string="Directory User for Busy Times", config_parameter="voltaic_booking.google_freebusy_subject",
        help="With the service account: a Workspace user who may see everyone's free/busy. All consultants' "
             "calendars are then read in one query; empty reads each consultant separately.")
    voltaic_google_meet = fields.Boolean(
        string="Google Meet for Video Calls", config_parameter="voltaic_booking.google_meet",
        help="Video consultations get a Google Meet conference on their Google event.")
    voltaic_google_invite_client = fields.Boolean(
        string="Client as Guest", config_parameter="voltaic_booking.google_invite_client",
        help="List the client as a guest of the Google event (Google sends no invitation: ours go by email).")
    voltaic_google_on_delete = fields.Selection(
        [("flag", "Flag the booking for attention"), ("cancel", "Cancel the booking")],
        string="When Deleted in Google", config_parameter="voltaic_booking.google_on_delete", default="flag")
    voltaic_google_busy_cron_id = fields.Many2one(
        "ir.cron", string="Busy Times Job",
        default=lambda self: self.env.ref("voltaic_booking.ir_cron_google_busy", raise_if_not_found=False))
    voltaic_google_refresh_minutes = fields.Integer(
        string="Read Busy Times Every (minutes)", related="voltaic_google_busy_cron_id.interval_number",
        readonly=False)
    voltaic_google_stale_minutes = fields.Integer(
        string="Busy Times Stale After (minutes)", config_parameter="voltaic_booking.google_stale_minutes",
        default=15, help="Older busy times are read again before slots are shown.")
    voltaic_google_timeout_seconds = fields.Float(
        string="Wait for Google (seconds)", config_parameter="voltaic_booking.google_timeout_seconds",
        default=3.0, help="How long a slots request waits for fresh busy times; if Google is slower, "
                          "the slots use the busy times already stored.")
    # --- booking links from a lead (issue 14) ---
    voltaic_booking_link_days = fields.Integer(
        string="Booking Links Valid For (days)", config_parameter="voltaic_booking.booking_link_days", default=14,
        help="A personal booking link sent from an opportunity books once, within this many days.")

    def _compute_voltaic_legal_warning(self):
        warning = self.env["voltaic.booking.legal.pages"]._warning()
        for settings in self:
            settings.voltaic_legal_warning = warning or False
