from odoo import fields, models

# the form's field of each detail (``lib.client_form.OPTIONAL_DETAILS``)
DETAIL_CODES = [
    ("phone", "Phone"),
    ("company", "Company"),
    ("position", "Position"),
    ("website", "Website"),
    ("language", "Preferred language"),
    ("subject", "Subject"),
]


class VoltaicClientDetail(models.Model):
    """A detail of the booking form besides name and e-mail (phone, company, …).

    The page shows them behind "Add details"; a consultant who needs one marks it
    required (``voltaic.consultant.required_detail_ids``), and the booking
    service refuses a booking without it.
    """

    _name = "voltaic.client.detail"
    _description = "Booking Form Detail"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(DETAIL_CODES, required=True, readonly=True)
    sequence = fields.Integer(default=10)

    _code_uniq = models.Constraint("UNIQUE(code)", "This detail exists already.")
