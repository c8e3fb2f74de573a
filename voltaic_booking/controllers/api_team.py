"""The JSON API for teams: "any available consultant".

``GET /api/consultations/teams`` lists the published teams; ``/api/consultations/slots?team=<id>``
answers the union of the members' free slots; ``/api/consultations/teams/<id>/questions`` the team's
intake questions; ``POST /api/consultations`` takes ``team`` instead
of ``consultant``, and the booking service (``voltaic.booking._book``) assigns the consultant.
"""

from zoneinfo import ZoneInfo

from odoo import http
from odoo.http import request

from ..lib import slots as slot_lib
from ..models.consultant import MEETING_TYPE_ICONS
from .api import BookingApi, json_error, json_response


class BookingApiTeams(BookingApi):

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @staticmethod
    def _team_filters(params, errors):
        """The member filters of a request (``expertise`` tag id, ``consultant_language`` short code);
        a malformed one goes to ``errors``."""
        env = request.env
        filters = {}
        expertise = params.get("expertise")
        if expertise not in (None, ""):
            try:
                filters["team_expertise"] = int(expertise)
            except (TypeError, ValueError):
                errors["expertise"] = env._("Give the expertise's id.")
        language = params.get("consultant_language")
        if language not in (None, ""):
            if not isinstance(language, str):
                errors["consultant_language"] = env._("This must be text.")
            else:
                filters["team_language"] = language
        return filters

    def _team_payload(self, team, next_available):
        members = team._members()
        return {
            "id": team.id,
            "name": team.name,
            "assignment_method": team.assignment_method,
            "member_count": len(members),
            "durations": team._durations(members),
            "meeting_types": team._meeting_types(members),
            "languages": sorted({code for consultant in members for code in consultant._language_codes()}),
            "next_available": slot_lib.to_utc_iso(next_available) if next_available else None,
        }


    # ------------------------------------------------------------------
    # Routes
    # ------------------------------------------------------------------

    @http.route("/api/consultations/teams", type="http", auth="public", methods=["GET"], readonly=True)
    def teams(self, **kwargs):
        self._set_api_lang()
        teams = request.env["voltaic.booking.team"]._published()
        next_available = teams._next_available()
        return json_response({"teams": [self._team_payload(team, next_available.get(team.id)) for team in teams]})

    @http.route("/api/consultations/teams/<int:team_id>/questions", type="http", auth="public",
                methods=["GET"], readonly=True)
    def team_questions(self, team_id, **kwargs):
        """The intake questions a booking of the team asks (``answers`` of ``POST /api/consultations`` with
        ``team``): the team's own, else the global default set; the assigned consultant's are not asked."""
        self._set_api_lang()
        env = request.env
        team = env["voltaic.booking.team"]._published_team(team_id)
        if not team:
            return json_error(404, "not_found", env._("No such team."))
        return json_response({
            "team": team.id,
            "questions": [question._public_payload() for question in team._intake_questions()],
        })

    def _team_slots(self, params, duration, start, end, tz):
        """``/api/consultations/slots?team=<id>``: the consultant's answer, with ``team`` for ``consultant``."""
        env = request.env
        try:
            int(params.get("team"))
        except (TypeError, ValueError):
            return json_error(400, "bad_request", env._("Give the team's id."))
        team = env["voltaic.booking.team"]._published_team(params.get("team"))
        if not team:
            return json_error(404, "not_found", env._("No such team."))
        errors = {}
        filters = self._team_filters(params, errors)
        meeting_type = params.get("meeting_type") or None
        if meeting_type and meeting_type not in MEETING_TYPE_ICONS:
            errors["meeting_type"] = env._("This meeting type is not offered.")
            meeting_type = None
        members = team._members(
            meeting_type=meeting_type, expertise=filters.get("team_expertise"), language=filters.get("team_language"))
        zone_name = tz or "UTC"
        if not slot_lib.is_valid_timezone(zone_name):
            errors["tz"] = env._("Unknown time zone.")
        allowed = team._durations(members)
        try:
            minutes = int(duration) if duration is not None else (allowed[0] if allowed else None)
        except (TypeError, ValueError):
            minutes = None
        if minutes not in allowed:
            errors["duration"] = env._("Choose one of the team's durations: %s.",
                                       ", ".join(str(d) for d in allowed)) if allowed else \
                env._("Nobody in this team matches these filters.")
        zone = ZoneInfo(zone_name) if "tz" not in errors else ZoneInfo("UTC")
        first_day, last_day = self._slot_days(start, end, zone, errors)
        if errors:
            return json_error(422, "validation", env._("Some parameters are invalid."), fields=errors)
        range_start, range_end = slot_lib.local_day_bounds(first_day, last_day, zone)
        members = members.filtered(lambda consultant: minutes in consultant._allowed_durations())
        free = team._get_slots(range_start, range_end, minutes, members=members)
        return json_response({
            "team": team.id,
            "duration": minutes,
            "tz": zone_name,
            "start": first_day.isoformat(),
            "end": last_day.isoformat(),
            "slots": self._slot_payload(free, zone),
        })

    def _parse_booking_payload(self, data):
        if data.get("team") is None or data.get("consultant") is not None:
            return super()._parse_booking_payload(data)
        env = request.env
        values, errors = super()._parse_booking_payload({**data, "consultant": 0})
        values.pop("consultant_id", None)
        team = env["voltaic.booking.team"]._published_team(data.get("team"))
        if not team:
            errors["team"] = env._("This team cannot be booked.")
        values["team_id"] = team.id or -1
        values.update(self._team_filters(data, errors))
        return values, errors
