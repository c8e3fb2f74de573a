import hashlib
import json
from datetime import timedelta

from odoo import api, fields, models


class VoltaicBookingIdempotency(models.Model):
    """The first answer given to a POST with an ``Idempotency-Key`` header.

    Stored in the same transaction as the booking, so a retried request gets
    the answer of the one that committed, never a second booking.
    """

    _name = "voltaic.booking.idempotency"
    _description = "Booking API Idempotency Key"
    _log_access = False

    key = fields.Char(required=True, index=True)
    fingerprint = fields.Char(required=True, help="SHA-256 of the request body.")
    status = fields.Integer(required=True)
    response = fields.Text(required=True)
    created_at = fields.Datetime(required=True, default=fields.Datetime.now, index=True)

    _key_uniq = models.Constraint("UNIQUE(key)", "This idempotency key was already used.")

    @api.model
    def _fingerprint(self, body):
        return hashlib.sha256(body or b"").hexdigest()

    @api.model
    def _lookup(self, key):
        return self.sudo().search([("key", "=", key)], limit=1)

    @api.model
    def _remember(self, key, body, status, payload):
        return self.sudo().create({
            "key": key,
            "fingerprint": self._fingerprint(body),
            "status": status,
            "response": json.dumps(payload),
        })

    @api.autovacuum
    def _gc_old_keys(self):
        """Keys are kept for a week, as clients retry within minutes."""
        self.sudo().search([("created_at", "<", fields.Datetime.now() - timedelta(days=7))]).unlink()
