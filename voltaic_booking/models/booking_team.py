from datetime import datetime, timezone

from odoo import api, fields, models

from ..exceptions import BookingValidationError, SlotUnavailableError

UTC = timezone.utc


class VoltaicBooking(models.Model):
    """Bookings of a team ("any available consultant"): the consultant is chosen by the service."""

    _inherit = "voltaic.booking"

    team_id = fields.Many2one(
        "voltaic.booking.team", index=True, readonly=True, ondelete="restrict",
        help="Booked as \"first available\" of this team: the service assigned the consultant.")

    @api.model
    def _book_team(self, values):
        """``_book`` for a team (``team_id`` instead of ``consultant_id``), in the same transaction.

        The members able to take the meeting (they offer its length and type, have the expertise and
        language asked for) and free at ``start`` are tried in the team's order
        (``voltaic.booking.team._assignment_order``), each through ``_book`` in a savepoint: a member
        whose time was taken meanwhile (exclusion constraint, daily limit) is skipped and the next one
        tried, with their lock released. When none is left: ``SlotUnavailableError`` with the team's
        next free times.

        :param dict values: as ``_book``, with ``team_id`` and optionally ``team_expertise`` (tag id)
            and ``team_language`` (short code) narrowing the members.
        """
        booking_model = self.sudo()
        clean = booking_model._validate_booking_values(values)
        team, able = clean["team"], clean["team_members"]
        start, duration = clean["start"], clean["duration"]
        candidates = team._assignment_order(team._free_members(able, start, duration), start)
        attempt = booking_model.with_context(voltaic_booking_no_alternatives=True)
        for consultant in candidates:
            try:
                with self.env.cr.savepoint():
                    booking = attempt._book({
                        **values, "consultant_id": consultant.id, "team_id": team.id, "allow_conflict": False,
                    })
            except SlotUnavailableError:
                continue  # taken meanwhile: the next member
            return booking.with_context(voltaic_booking_no_alternatives=False)
        raise SlotUnavailableError(
            self.env._("This slot is no longer available."),
            alternatives=team._alternatives(able, max(start, datetime.now(UTC)), duration),
        )

    @api.model
    def _validate_booking_values(self, values):
        """With ``team_id`` and no ``consultant_id``: the checks of a booking with a member who could take it,
        and ``clean["team"]``, ``clean["team_members"]`` (the members able to take the meeting: they offer
        its length and type, have the expertise and speak the language asked for)."""
        if not (values.get("team_id") and not values.get("consultant_id")):
            return self._with_checked_team(super()._validate_booking_values(values), values)
        team, members, able, errors = self._team_booking_pool(values)
        probe = able[:1] or members[:1] or (team._ordered_members()[:1] if team else team)
        try:
            # ``team_id`` stays: what is asked of the client is the team's (its intake questions,
            # team_question.py), not the probe member's
            clean = super()._validate_booking_values(
                {**values, "consultant_id": probe.id, "team_id": team.id, "allow_conflict": False})
        except BookingValidationError as error:
            # what the probe member does not offer is said of the team (below), never of the probe
            found = {name: message for name, message in error.fields.items()
                     if name not in ("consultant", "duration", "meeting_type")}
            raise BookingValidationError({**found, **errors} or error.fields) from None
        if errors:
            raise BookingValidationError(errors)
        clean.update(team=team, team_members=able)
        return clean

    @api.model
    def _with_checked_team(self, clean, values):
        """``clean`` with ``team``: the team a consultant was booked through (one of its members), if any."""
        team = self._values_team(values)
        if team and clean["consultant"] not in team.member_ids.consultant_id:
            raise BookingValidationError({"team": self.env._("This consultant is not a member of the team.")})
        clean["team"] = team
        return clean

    @api.model
    def _missing_detail_errors(self, consultant, values, errors):
        """Through a team: the details that any member able to take the meeting requires, whoever is
        assigned (the client fills them in before that, as the team's card asks for them)."""
        if not values.get("team_id"):
            return super()._missing_detail_errors(consultant, values, errors)
        _team, _members, able, _errors = self._team_booking_pool(values)
        return self._details_missing(able.sudo().required_detail_ids, values, errors)

    @api.model
    def _values_team(self, values):
        """The existing team (sudo) of ``values["team_id"]``, else an empty recordset."""
        team = self.env["voltaic.booking.team"].sudo()
        try:
            team_id = int(values.get("team_id") or 0)
        except (TypeError, ValueError):
            team_id = 0
        return team.browse(team_id).exists() if team_id > 0 else team

    @api.model
    def _team_booking_pool(self, values):
        """``(team, members, able, errors)``: the team of ``values``, its bookable members matching the
        meeting type and filters, those of them offering the duration, and what is wrong."""
        team = self._values_team(values)
        members = able = self.env["voltaic.consultant"]
        if team and team.active:
            members = team._members(
                meeting_type=values.get("meeting_type"),
                expertise=values.get("team_expertise"),
                language=values.get("team_language"),
            )
            able = members.filtered(lambda consultant: values.get("duration") in consultant._allowed_durations())
        errors = {}
        if not team or not team.active:
            errors["team"] = self.env._("This team cannot be booked.")
        elif not members:
            errors["meeting_type"] = self.env._("Nobody in this team offers this kind of meeting.")
        elif not able:
            errors["duration"] = self.env._("Nobody in this team offers %s-minute meetings.", values.get("duration"))
        return team, members, able, errors

    @api.model
    def _prepare_booking_values(self, clean, partner, lead):
        values = super()._prepare_booking_values(clean, partner, lead)
        if clean.get("team"):
            values["team_id"] = clean["team"].id
        return values

    def _api_extra_values(self):
        values = super()._api_extra_values()
        if self.team_id:
            # booked as "first available": the client learns here who they got
            values.update(team=self.team_id.id, consultant_name=self.consultant_id.name)
        return values

    @api.model
    def _new_lead_values(self, clean):
        values = super()._new_lead_values(clean)
        if clean.get("team"):
            values.update(clean["team"]._lead_values())
        return values
