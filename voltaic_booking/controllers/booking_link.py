"""/book-consultation/link/<token>: the booking page of a personal booking link (``voltaic.booking.link``).

The page is the booking page, for one client: their details from the link's lead filled in, the
consultant fixed when the salesperson picked one, only the allowed durations. Its form posts to
``/book-consultation/submit`` with the token (``booking_link``); the booking goes through the link
(``voltaic.booking.link._book``: that lead, source ``backend``, once). A wrong, expired, used or
withdrawn token gets a page that says so and shows nothing else.
"""

from odoo import http
from odoo.http import request

from ..exceptions import BookingLinkError
from .booking_page import BookingPage
from .booking_service import service_in_request

LINK_FIELD = "booking_link"


class BookingLinkPage(BookingPage):

    @http.route("/book-consultation/link/<string:token>", type="http", auth="public", website=True,
                readonly=True, sitemap=False)
    def booking_link(self, token, **kwargs):
        link = request.env["voltaic.booking.link"]._from_token(token)
        problem = link._unusable_message()
        if problem:
            return request.render("voltaic_booking.booking_link_unusable", {"message": problem},
                                  status=404 if not link else 410)
        allowed = link._allowed_durations()
        values = self._wizard_values()
        values.update({
            "client": {**values["client"], **link._client_values()},
            "durations": [minutes for minutes in values["durations"] if minutes in allowed],
            "booking_link_token": token,
            "link_consultant": bool(link.consultant_id),
        })
        if link.consultant_id:
            card = self._link_cards(link.consultant_id, allowed)[0]
            values.update(cards=None, preselected=card if card["bookable"] else None, card=card)
        else:
            cards = self._link_cards(self._public_consultants(), allowed)
            for card in cards:
                card["hidden"] = not card["durations"]
            values.update(cards=cards, preselected=None, filters=self._filters(cards))
        return request.render("voltaic_booking.booking_link_page", values)

    def _link_cards(self, consultants, allowed):
        """The consultants' cards, offering only the link's durations."""
        cards = self._consultant_cards(consultants)
        for card in cards:
            card["durations"] = [minutes for minutes in card["durations"] if minutes in allowed]
            card["bookable"] = card["bookable"] and bool(card["durations"])
            card["data_attrs"] = self._card_data_attrs(card)
        return cards

    def _book_from_form(self, values, post):
        token = post.get(LINK_FIELD)
        if not token:
            return super()._book_from_form(values, post)
        env = request.env
        link = env["voltaic.booking.link"]._from_token(token)
        if not link:
            raise BookingLinkError(link._unusable_message())
        return service_in_request(
            request, env, lambda: link._book(values),
            env._("Many bookings are being made right now. Please try again in a moment."))
