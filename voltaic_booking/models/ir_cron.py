from odoo import models


class IrCron(models.Model):
    _inherit = "ir.cron"

    def _trigger_once(self):
        """Run this job right after the commit, once however often the transaction asks.

        Each ``_trigger()`` adds a trigger and, after the commit, wakes the job runners through a
        database connection of its own: a booking that queues two e-mails would open two. A
        trigger this transaction already added (``create_date`` is the transaction's time; one
        undone with a savepoint is gone) is enough.
        """
        self.ensure_one()
        cron = self.sudo()
        if not cron.env["ir.cron.trigger"].search_count(
                [("cron_id", "=", cron.id), ("create_date", "=", cron.env.cr.now())], limit=1):
            cron._trigger()
