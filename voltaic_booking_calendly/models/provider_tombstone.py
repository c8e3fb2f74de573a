from datetime import timedelta

from odoo import api, fields, models

from .provider_mapping import PROVIDER_SELECTION

TOMBSTONE_KEEP_DAYS = 365
CHAIN_LIMIT = 50


class VoltaicProviderTombstone(models.Model):
    """What we know of a provider booking id that is no live booking here.

    Deliveries arrive out of order: a cancel can come before its create, and
    a reschedule before the booking it moves. The id is then remembered here
    (``cancelled``: drop the create when it comes; ``superseded``: the
    booking lives on under ``replaced_by_uid``), so the late delivery is
    recognised and applied once, or not at all.
    """

    _name = "voltaic.provider.tombstone"
    _description = "Calendly / Cal.com Booking Id Seen Out of Order"
    _order = "id desc"
    _rec_name = "external_uid"

    provider = fields.Selection(PROVIDER_SELECTION, required=True, readonly=True)
    external_uid = fields.Char(string="Provider Booking ID", required=True, readonly=True)
    kind = fields.Selection(
        [("cancelled", "Cancelled"), ("superseded", "Rescheduled")], required=True, readonly=True)
    replaced_by_uid = fields.Char(string="Rescheduled To", readonly=True)
    booking_id = fields.Many2one("voltaic.booking", readonly=True, ondelete="set null", index="btree_not_null")
    reason = fields.Text(readonly=True)

    _uid_uniq = models.Constraint(
        "UNIQUE(provider, external_uid)", "This provider booking id is already remembered.")

    @api.model
    def _remember(self, provider, uid, kind, replaced_by=None, booking=None, reason=None):
        """Create or update the tombstone of ``uid``."""
        values = {
            "kind": kind,
            "replaced_by_uid": replaced_by or False,
            "booking_id": booking.id if booking else False,
            "reason": reason or False,
        }
        tombstone = self.search([("provider", "=", provider), ("external_uid", "=", uid)], limit=1)
        if tombstone:
            tombstone.write({key: value for key, value in values.items() if value or key == "kind"})
            return tombstone
        return self.create({"provider": provider, "external_uid": uid, **values})

    @api.model
    def _follow(self, provider, uid):
        """``(tombstone, final_uid)``: the tombstone of ``uid`` and the id its reschedule chain ends on."""
        tombstone = self.search([("provider", "=", provider), ("external_uid", "=", uid)], limit=1)
        final_uid = uid
        current = tombstone
        for _step in range(CHAIN_LIMIT):
            if not current or current.kind != "superseded" or not current.replaced_by_uid:
                break
            final_uid = current.replaced_by_uid
            current = self.search([("provider", "=", provider), ("external_uid", "=", final_uid)], limit=1)
        return tombstone, final_uid

    @api.autovacuum
    def _gc_old_tombstones(self):
        limit = fields.Datetime.now() - timedelta(days=TOMBSTONE_KEEP_DAYS)
        self.search([("create_date", "<", limit)]).unlink()
