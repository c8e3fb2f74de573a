{
    "name": "Voltaic Consultation Booking: Paid Consultations",
    "version": "19.0.1.0.0",
    "summary": "Prices per consultant and duration; the slot is held while the client pays with Odoo's payment "
               "providers; refunds inside the cancellation window",
    "category": "Sales/CRM",
    "author": "Voltaic",
    "website": "https://github.com/voltaic/voltaic_booking",
    "license": "LGPL-3",
    "depends": ["voltaic_booking", "payment"],
    "data": [
        "data/ir_cron.xml",
        "data/mail_templates.xml",
        "views/consultant_views.xml",
        "views/booking_views.xml",
        "views/portal_templates.xml",
        "views/payment_templates.xml",
        "views/res_config_settings_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "voltaic_booking_payment/static/tests/tours/paid_booking.js",
        ],
    },
}
