{
    "name": "Voltaic Consultation Booking: Calendly and Cal.com",
    "version": "19.0.1.0.0",
    "summary": "Bookings made in Calendly or Cal.com flow in through signed webhooks, are reconciled every hour "
               "and block the consultant's time like native bookings",
    "category": "Sales/CRM",
    "author": "Voltaic",
    "website": "https://github.com/voltaic/voltaic_booking",
    "license": "LGPL-3",
    "depends": ["voltaic_booking"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/rules.xml",
        "data/utm_data.xml",
        "data/webhook_data.xml",
        "views/webhook_inbox_views.xml",
        "views/provider_mapping_views.xml",
        "views/booking_provider_views.xml",
        "views/provider_templates.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "voltaic_booking_calendly/static/src/scss/provider_embed.scss",
        ],
    },
}
