from odoo import fields, models

# what a resource's working time depends on besides its working hours (cached: voltaic.consultant._work_block)
RESOURCE_WORK_FIELDS = frozenset({"tz", "calendar_id", "company_id", "active"})


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    voltaic_consultant_id = fields.Many2one(
        "voltaic.consultant", string="Own Calendar of Consultant", index="btree_not_null", ondelete="set null",
        copy=False, help="Set on working hours created for one consultant: that consultant may edit them.")
    # the consultants following these hours (archived ones too): consultation
    # managers may edit the working hours of consultants (security/rules.xml)
    voltaic_consultant_ids = fields.One2many(
        "voltaic.consultant", "resource_calendar_id", string="Consultants", context={"active_test": False})

    def write(self, vals):
        result = super().write(vals)
        if vals.keys() - {"name", "voltaic_consultant_id"}:
            # zone, hours per day, flexible hours, ...: the cached working time follows
            self.env["voltaic.consultant"]._clear_work_cache()
        return result


class ResourceResource(models.Model):
    _inherit = "resource.resource"

    voltaic_leave_ids = fields.One2many("resource.calendar.leaves", "resource_id", string="Time Off")
    # the consultant of this resource (archived too): see security/rules.xml
    voltaic_consultant_ids = fields.One2many(
        "voltaic.consultant", "resource_id", string="Consultants", context={"active_test": False})

    def write(self, vals):
        result = super().write(vals)
        if RESOURCE_WORK_FIELDS & vals.keys():
            self.env["voltaic.consultant"]._clear_work_cache()
        return result
