from odoo import fields, models


class VoltaicConsultantExpertise(models.Model):
    _name = "voltaic.consultant.expertise"
    _description = "Consultant Expertise"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    color = fields.Integer()

    _name_uniq = models.Constraint("UNIQUE(name)", "An expertise with this name already exists.")
