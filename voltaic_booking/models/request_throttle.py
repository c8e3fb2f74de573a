from datetime import timedelta

from odoo import api, fields, models


class VoltaicRequestThrottle(models.Model):
    """One row per public POST, to limit them per client IP and minute."""

    _name = "voltaic.request.throttle"
    _description = "Public Request Throttle"
    _log_access = False

    key = fields.Char(required=True)
    hit_at = fields.Datetime(required=True, default=fields.Datetime.now)

    _key_hit_idx = models.Index("(key, hit_at)")

    @api.model
    def _limit_per_minute(self):
        value = self.env["ir.config_parameter"].sudo().get_param("voltaic_booking.rate_limit_per_minute", "10")
        try:
            return max(int(value), 0)
        except ValueError:
            return 10

    @api.model
    def _hit(self, key):
        """Record a request for ``key``; False when the key is over its limit this minute."""
        limit = self._limit_per_minute()
        if not limit:
            return True
        since = fields.Datetime.now() - timedelta(minutes=1)
        throttle = self.sudo()
        if throttle.search_count([("key", "=", key), ("hit_at", ">", since)]) >= limit:
            return False
        throttle.create({"key": key})
        return True

    @api.autovacuum
    def _gc_hits(self):
        self.sudo().search([("hit_at", "<", fields.Datetime.now() - timedelta(hours=1))]).unlink()
