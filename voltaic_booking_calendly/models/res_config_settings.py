from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    voltaic_calendly_signing_key = fields.Char(
        string="Calendly Signing Key", config_parameter="voltaic_booking.calendly_signing_key",
        groups="base.group_system",
        help="Signs Calendly's webhooks. Set by “Register with Calendly”, or paste the signing_key of a subscription "
             "you created yourself.")
    voltaic_calendly_api_token = fields.Char(
        string="Calendly Personal Access Token", config_parameter="voltaic_booking.calendly_api_token",
        groups="base.group_system", help="Registers the webhook and reads bookings back for the reconciliation.")
    voltaic_calendly_scope = fields.Selection(
        [("organization", "Whole Organization"), ("user", "Token Owner Only")], string="Calendly Scope",
        config_parameter="voltaic_booking.calendly_scope", default="organization",
        help="Whose bookings come in: every member of the Calendly organization (the token owner must be an "
             "owner or admin), or the token owner only.")
    voltaic_calcom_webhook_secret = fields.Char(
        string="Cal.com Webhook Secret", config_parameter="voltaic_booking.calcom_webhook_secret",
        groups="base.group_system",
        help="Signs Cal.com's webhooks. Set by “Register with Cal.com”, or paste the secret of a webhook you "
             "created yourself.")
    voltaic_calcom_api_key = fields.Char(
        string="Cal.com API Key", config_parameter="voltaic_booking.calcom_api_key", groups="base.group_system",
        help="Registers the webhook and reads bookings back for the reconciliation (cal_live_…).")
    voltaic_calcom_api_url = fields.Char(
        string="Cal.com API URL", config_parameter="voltaic_booking.calcom_api_url",
        help="Empty for cal.com (https://api.cal.com); the API address of a self-hosted Cal.com otherwise.")
    voltaic_provider_skip_confirmation = fields.Boolean(
        string="No Confirmations of Ours for Provider Bookings",
        config_parameter="voltaic_booking.provider_skip_confirmation",
        help="Calendly and Cal.com already mail the client: do not send our confirmation and change emails for "
             "bookings made there.")
    voltaic_provider_reconcile_days = fields.Integer(
        string="Reconcile the Next (days)", config_parameter="voltaic_booking.provider_reconcile_days", default=60,
        help="The reconciliation reads back the bookings of the last two days and of this many days ahead.")
