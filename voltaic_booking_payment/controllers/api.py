"""The booking API's OpenAPI document learns the keys a paid consultation adds to the 201 answer."""

import json

from odoo.tools import file_open

from odoo.addons.voltaic_booking.controllers.api import BookingApi


class BookingApiPayment(BookingApi):

    def _openapi_document(self):
        document = super()._openapi_document()
        with file_open("voltaic_booking_payment/static/api/openapi_payment.json", "rb") as extension_file:
            extension = json.load(extension_file)
        created = document["components"]["schemas"]["BookingCreated"]
        added = extension["components"]["schemas"]["BookingCreated"]
        created["properties"].update(added["properties"])
        created.setdefault("dependentRequired", {}).update(added["dependentRequired"])
        post = document["paths"]["/api/consultations"]["post"]
        post["description"] += extension["paths"]["/api/consultations"]["post"]["description_suffix"]
        state = document["components"]["schemas"]["Booking"]["properties"]["state"]
        state["description"] += " Paid consultations: " + ", ".join(
            f"`{value}`" for value in extension["components"]["state_values"]) + "."
        return document
