"""Webhook signatures (pure): Calendly's timestamped HMAC and Cal.com's body HMAC."""

import hashlib
import hmac

import pytest
from voltaic_booking_calendly_lib import signatures as sig

CALENDLY_KEY = "ZbhVq5lRrSMgXWd0rrkOg_Ps1dF9zKxDyn5bnGeNqOk"
CALCOM_SECRET = "whsec_3c8d1b6e0f2a4a5d9e7f"
BODY = b'{"event":"invitee.created","created_at":"2026-03-02T08:14:51.000000Z","payload":{"email":"a@b.example"}}'
NOW = 1772439291  # 2026-03-02 08:14:51 UTC


class TestCalendlySignature:

    def test_valid_signature_is_accepted(self):
        header = sig.calendly_header(CALENDLY_KEY, BODY, timestamp=NOW)
        assert sig.verify_calendly(CALENDLY_KEY, header, BODY, now=NOW + 10) == NOW

    def test_signature_is_hmac_of_timestamp_dot_body(self):
        """The documented recipe, computed independently of the module."""
        expected = hmac.new(CALENDLY_KEY.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
        assert sig.calendly_header(CALENDLY_KEY, BODY, timestamp=NOW) == f"t={NOW},v1={expected}"

    def test_tampered_body_is_refused(self):
        header = sig.calendly_header(CALENDLY_KEY, BODY, timestamp=NOW)
        tampered = BODY.replace(b"a@b.example", b"evil@b.example")
        with pytest.raises(sig.SignatureError) as caught:
            sig.verify_calendly(CALENDLY_KEY, header, tampered, now=NOW)
        assert caught.value.reason == "mismatch"

    def test_tampered_timestamp_is_refused(self):
        """Moving ``t`` forward to pass the age check breaks the signature."""
        header = sig.calendly_header(CALENDLY_KEY, BODY, timestamp=NOW).replace(f"t={NOW}", f"t={NOW + 600}")
        with pytest.raises(sig.SignatureError) as caught:
            sig.verify_calendly(CALENDLY_KEY, header, BODY, now=NOW + 600)
        assert caught.value.reason == "mismatch"

    def test_wrong_key_is_refused(self):
        header = sig.calendly_header("another-key", BODY, timestamp=NOW)
        with pytest.raises(sig.SignatureError):
            sig.verify_calendly(CALENDLY_KEY, header, BODY, now=NOW)

    def test_expired_signature_is_refused(self):
        header = sig.calendly_header(CALENDLY_KEY, BODY, timestamp=NOW)
        # three minutes is the limit: just inside passes, just outside does not
        assert sig.verify_calendly(CALENDLY_KEY, header, BODY, now=NOW + 180) == NOW
        with pytest.raises(sig.SignatureError) as caught:
            sig.verify_calendly(CALENDLY_KEY, header, BODY, now=NOW + 181)
        assert caught.value.reason == "expired"

    def test_timestamp_far_in_the_future_is_refused(self):
        header = sig.calendly_header(CALENDLY_KEY, BODY, timestamp=NOW + 3600)
        with pytest.raises(sig.SignatureError) as caught:
            sig.verify_calendly(CALENDLY_KEY, header, BODY, now=NOW)
        assert caught.value.reason == "expired"

    @pytest.mark.parametrize(("header", "reason"), [
        (None, "missing"), ("", "missing"), ("v1=abcd", "malformed"),
        (f"t={NOW}", "malformed"), ("t=yesterday,v1=abcd", "malformed"),
    ])
    def test_missing_and_malformed_headers_are_refused(self, header, reason):
        with pytest.raises(sig.SignatureError) as caught:
            sig.verify_calendly(CALENDLY_KEY, header, BODY, now=NOW)
        assert caught.value.reason == reason

    def test_no_signing_key_configured_refuses_everything(self):
        header = sig.calendly_header("", BODY, timestamp=NOW)
        with pytest.raises(sig.SignatureError) as caught:
            sig.verify_calendly("", header, BODY, now=NOW)
        assert caught.value.reason == "no_secret"

    def test_any_of_several_v1_signatures_may_match(self):
        """While a signing key is rolled, the header carries several ``v1`` values."""
        good = sig.calendly_signature(CALENDLY_KEY, NOW, BODY)
        header = f"t={NOW},v1={'0' * 64},v1={good}"
        assert sig.verify_calendly(CALENDLY_KEY, header, BODY, now=NOW) == NOW

    def test_non_ascii_header_does_not_crash(self):
        with pytest.raises(sig.SignatureError):
            sig.verify_calendly(CALENDLY_KEY, f"t={NOW},v1=é{'0' * 63}", BODY, now=NOW)


class TestCalcomSignature:

    def test_valid_signature_is_accepted(self):
        header = hmac.new(CALCOM_SECRET.encode(), BODY, hashlib.sha256).hexdigest()
        assert sig.verify_calcom(CALCOM_SECRET, header, BODY)
        assert sig.verify_calcom(CALCOM_SECRET, header.upper(), BODY), "hex case does not matter"
        assert sig.verify_calcom(CALCOM_SECRET, f"sha256={header}", BODY)

    def test_tampered_body_is_refused(self):
        header = sig.calcom_signature(CALCOM_SECRET, BODY)
        with pytest.raises(sig.SignatureError) as caught:
            sig.verify_calcom(CALCOM_SECRET, header, BODY + b" ")
        assert caught.value.reason == "mismatch"

    def test_wrong_secret_is_refused(self):
        with pytest.raises(sig.SignatureError):
            sig.verify_calcom(CALCOM_SECRET, sig.calcom_signature("other", BODY), BODY)

    def test_missing_signature_and_missing_secret_are_refused(self):
        with pytest.raises(sig.SignatureError) as caught:
            sig.verify_calcom(CALCOM_SECRET, None, BODY)
        assert caught.value.reason == "missing"
        with pytest.raises(sig.SignatureError) as caught:
            sig.verify_calcom("", sig.calcom_signature("", BODY), BODY)
        assert caught.value.reason == "no_secret"
