"""Connecting a consultant's Google account: the OAuth flow in the backend, and "Test connection"."""

from unittest.mock import patch
from urllib.parse import parse_qs, urlparse

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..lib import google_mapping as gmap
from ..models.google_sync import VoltaicGoogleConnection
from .common import make_calendar, make_consultant
from .google_common import INVALID_GRANT, FakeGoogle, GoogleCase, token_answer

CALLBACK = "/voltaic_booking/google/callback"


@tagged("post_install", "-at_install")
class TestGoogleOAuthFlow(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        parameters = cls.env["ir.config_parameter"].sudo()
        parameters.set_param("voltaic_booking.google_client_id", "1234567890-abc.apps.googleusercontent.com")
        parameters.set_param("voltaic_booking.google_client_secret", "GOCSPX-test-secret")
        parameters.set_param("voltaic_booking.google_auth_mode", "oauth")
        cls.consultant = make_consultant(
            cls.env, "Carla OAuth", "vb_oauth_carla", calendar=make_calendar(cls.env, "VB OAuth", hours=None),
            groups="voltaic_booking.group_user", email="carla.oauth@voltaic.example", google_sync_enabled=True)
        cls.carla = cls.consultant.user_id
        cls.otto = new_test_user(cls.env, "vb_oauth_otto", groups="voltaic_booking.group_user",
                                 name="Otto OAuth", email="otto.oauth@voltaic.example", password="vb_oauth_otto")

    def authorize(self):
        response = self.url_open(f"/voltaic_booking/google/authorize/{self.consultant.id}", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        return urlparse(response.headers["Location"])

    def test_authorization_code_flow(self):
        self.authenticate("vb_oauth_carla", "vb_oauth_carla")
        location = self.authorize()
        self.assertEqual(f"{location.scheme}://{location.netloc}{location.path}", gmap.AUTHORIZE_URI)
        params = parse_qs(location.query)
        redirect_uri = params["redirect_uri"][0]
        self.assertTrue(redirect_uri.endswith(CALLBACK))
        self.assertEqual(params["client_id"], ["1234567890-abc.apps.googleusercontent.com"])
        self.assertEqual(params["scope"], [gmap.CALENDAR_SCOPE])
        self.assertEqual(params["access_type"], ["offline"], "a refresh token is needed")
        self.assertEqual(params["prompt"], ["consent"])
        self.assertEqual(params["login_hint"], ["carla.oauth@voltaic.example"])
        state = params["state"][0]

        fake = FakeGoogle([("POST", "oauth2.googleapis.com/token", 200, dict(
            token_answer(), refresh_token="1//0gCarlaRefreshToken"))])
        with patch.object(VoltaicGoogleConnection, "_google_http", lambda self, timeout=None: fake):
            response = self.url_open(f"{CALLBACK}?state={state}&code=4/0AeanS0bCarla&scope={gmap.CALENDAR_SCOPE}",
                                     allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertTrue(response.headers["Location"].endswith(f"/odoo/voltaic.consultant/{self.consultant.id}"))
        self.env.invalidate_all()
        form = fake.form(0)
        self.assertEqual(form["code"], ["4/0AeanS0bCarla"])
        self.assertEqual(form["redirect_uri"], [redirect_uri], "the same redirect URI as in the authorization")
        self.assertEqual(form["client_secret"], ["GOCSPX-test-secret"])
        connection = self.consultant._google_connection()
        self.assertEqual(connection.state, "connected")
        self.assertEqual(connection.refresh_token, "1//0gCarlaRefreshToken")

        # the state is single-use
        with mute_logger("odoo.addons.voltaic_booking.controllers.google_oauth", "odoo.http"):
            replay = self.url_open(f"{CALLBACK}?state={state}&code=4/0AeanS0bAgain", allow_redirects=False)
        self.assertEqual(replay.status_code, 403)

    @mute_logger("odoo.addons.voltaic_booking.controllers.google_oauth", "odoo.http")
    def test_forged_or_foreign_state_refused(self):
        self.authenticate("vb_oauth_carla", "vb_oauth_carla")
        state = parse_qs(self.authorize().query)["state"][0]
        forged = gmap.encode_state({"c": self.consultant.id, "u": self.carla.id, "n": "x", "exp": 4102444800},
                                   "not the database secret")
        fake = FakeGoogle([])
        with patch.object(VoltaicGoogleConnection, "_google_http", lambda self, timeout=None: fake):
            self.assertEqual(self.url_open(f"{CALLBACK}?state={forged}&code=c", allow_redirects=False).status_code, 403)
            # Otto cannot finish Carla's flow (nor start one for her)
            self.authenticate("vb_oauth_otto", "vb_oauth_otto")
            self.assertEqual(self.url_open(f"{CALLBACK}?state={state}&code=c", allow_redirects=False).status_code, 403)
            response = self.url_open(f"/voltaic_booking/google/authorize/{self.consultant.id}", allow_redirects=False)
            self.assertEqual(response.status_code, 403)
        self.assertEqual(fake.count, 0, "no code is exchanged for a refused callback")
        self.env.invalidate_all()
        self.assertFalse(self.consultant._google_connection().refresh_token)

    def test_consent_refused(self):
        self.authenticate("vb_oauth_carla", "vb_oauth_carla")
        state = parse_qs(self.authorize().query)["state"][0]
        response = self.url_open(f"{CALLBACK}?state={state}&error=access_denied", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.env.invalidate_all()
        self.assertEqual(self.consultant._google_connection().state, "new")
        self.assertIn("access_denied", self.consultant.message_ids[0].body)


class TestGoogleTestConnection(GoogleCase):

    def test_everything_works(self):
        with self.fake_google([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("GET", "/calendar/v3/calendars/primary", 200, {
                "kind": "calendar#calendar", "etag": '"j1Xs0"', "id": "carla@voltaic.example",
                "summary": "carla@voltaic.example", "timeZone": "Europe/Berlin"}),
            ("POST", "/calendar/v3/freeBusy", 200, {"kind": "calendar#freeBusy", "calendars": {
                "primary": {"busy": [{"start": "2026-03-03T09:00:00Z", "end": "2026-03-03T10:00:00Z"}]},
                "family08154711@group.calendar.google.com": {"busy": []}}}),
        ]) as google:
            action = self.consultant.with_user(self.consultant_user).action_google_test_connection()
        google.assert_done(self)
        self.assertEqual(google.body(2)["items"], [
            {"id": "primary"}, {"id": "family08154711@group.calendar.google.com"}])
        params = action["params"]
        self.assertEqual(params["type"], "success")
        self.assertIn("Token: OK", params["message"])
        self.assertIn("Europe/Berlin", params["message"])
        self.assertIn("Free/busy of primary: OK (1 busy periods", params["message"])
        self.assertEqual(self.connection.state, "connected")

    def test_unreadable_extra_calendar(self):
        with self.fake_google([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("GET", "/calendar/v3/calendars/primary", 200, {"id": "carla@voltaic.example", "summary": "Carla"}),
            ("POST", "/calendar/v3/freeBusy", 200, {"kind": "calendar#freeBusy", "calendars": {
                "primary": {"busy": []},
                "family08154711@group.calendar.google.com": {
                    "errors": [{"domain": "global", "reason": "notFound"}], "busy": []}}}),
        ]):
            params = self.consultant.action_google_test_connection()["params"]
        self.assertEqual(params["type"], "danger")
        self.assertIn("family08154711@group.calendar.google.com: failed (notFound)", params["message"])

    @mute_logger("odoo.addons.voltaic_booking.models.google_sync")
    def test_revoked_token(self):
        with self.fake_google([("POST", "oauth2.googleapis.com/token", 400, INVALID_GRANT)]):
            params = self.consultant.action_google_test_connection()["params"]
        self.assertEqual(params["type"], "danger")
        self.assertIn("Token: failed", params["message"])
        self.assertIn("invalid_grant", params["message"])
        self.assertEqual(self.connection.state, "broken")
        self.assertEqual(self.consultant.activity_ids.summary, "Reconnect Google Calendar")

    def test_static_discovery_document(self):
        """The Calendar API description ships with the library: building a client needs no network."""
        with self.fake_google([]) as google:
            client = self.connection._client()
        self.assertEqual(google.count, 0)
        self.assertTrue(hasattr(client.service, "freebusy"))
