"""Teams on the booking page: a "First available" card per published team in step 1.

Step 2 then loads the union of the members' free slots (``/api/consultations/slots?team=<id>``),
and the form posts ``team`` instead of ``consultant``: the booking service assigns the consultant,
whom the client meets on the confirmation page.
"""

from odoo import http
from odoo.http import request

from .booking_page import BookingPage


class BookingPageTeams(BookingPage):

    @http.route()
    def index(self, consultant=None, expertise=None, language=None, meeting_type=None, when=None, **kwargs):
        response = super().index(consultant=consultant, expertise=expertise, language=language,
                                 meeting_type=meeting_type, when=when, **kwargs)
        qcontext = getattr(response, "qcontext", None)
        if qcontext is not None and "cards" in qcontext:
            team_cards = self._team_cards(request.env["voltaic.booking.team"]._published(), qcontext["cards"])
            for card in team_cards:
                card["hidden"] = not self._card_matches(card, qcontext["filters"])
            qcontext["team_cards"] = team_cards
        return response

    def _team_cards(self, teams, consultant_cards):
        """Public card data of ``teams`` from their members' cards (no extra availability query)."""
        by_id = {card["id"]: card for card in consultant_cards}
        cards = []
        for team in teams:
            members = [by_id[consultant.id] for consultant in team._members() if consultant.id in by_id]
            bookable = [card for card in members if card["bookable"]]
            first = min(bookable, key=lambda card: card["next_available"]) if bookable else None
            expertise = {}
            for card in members:
                expertise.update(dict(card["expertise"]))
            card = {
                "id": team.id,
                "name": team.name,
                "member_count": len(members),
                "expertise": sorted(expertise.items(), key=lambda item: item[1].lower()),
                "language_codes": sorted({code for card in members for code in card["language_codes"]}),
                "meeting_types": team._meeting_types(team._members()),
                "durations": sorted({minutes for card in bookable for minutes in card["durations"]}),
                "bookable": bool(first),
                "next_available_iso": first["next_available_iso"] if first else "",
                "next_available_label": first["next_available_label"] if first else "",
                "free_ranges": self._merge_free_ranges(card["free_ranges"] for card in bookable),
                "last_day": max((card["last_day"] for card in bookable), default=""),
                "book_url": f"/book-consultation?team={team.id}",
                # whoever is assigned: what any member requires is asked (the service checks the same)
                "required_details": sorted({code for card in members for code in card["required_details"]}),
                # "free changes until": the strictest member's deadline, the one a client can rely on
                "edit_deadline_hours": max((card["edit_deadline_hours"] for card in members), default=0),
            }
            card["data_attrs"] = {
                "data-vbw-team": card["id"],
                "data-name": card["name"],
                "data-title": request.env._("First available consultant"),
                "data-initials": "",
                "data-photo": "",
                "data-tz": "",
                **self._card_option_attrs(card),
                "data-edit-deadline-hours": card["edit_deadline_hours"],
                "data-required-details": ",".join(card["required_details"]),
            }
            cards.append(card)
        return cards

    @staticmethod
    def _merge_free_ranges(ranges):
        """The members' runs of free slot starts (``"first-last"`` epoch minutes) merged into one list."""
        runs = []
        for text in ranges:
            for run in (text or "").split():
                first, _sep, last = run.partition("-")
                runs.append((int(first), int(last)))
        merged = []
        for first, last in sorted(runs):
            if merged and first <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], last))
            else:
                merged.append((first, last))
        return " ".join(f"{first}-{last}" for first, last in merged)

    def _parse_form(self, post):
        if not post.get("team") or post.get("consultant"):
            return super()._parse_form(post)
        env = request.env
        values, errors = super()._parse_form({**post, "consultant": "0"})
        values.pop("consultant_id", None)
        team = env["voltaic.booking.team"]._published_team(post.get("team"))
        if not team:
            errors["team"] = env._("This team cannot be booked.")
        values["team_id"] = team.id or -1
        try:
            values["team_expertise"] = int(post["team_expertise"]) if post.get("team_expertise") else None
        except ValueError:
            values["team_expertise"] = None
        values["team_language"] = (post.get("team_language") or "").strip() or None
        return values, errors
