"""Signatures of Calendly and Cal.com webhook deliveries (no Odoo import).

Calendly signs ``<t>.<raw body>`` with HMAC-SHA256 and the subscription's
signing key and sends ``Calendly-Webhook-Signature: t=<unix time>,v1=<hex>``;
a delivery older than the tolerance is refused, so a captured request cannot
be replayed later. Cal.com sends the hex HMAC-SHA256 of the raw body with the
webhook's secret in ``X-Cal-Signature-256``. Digests are compared in constant
time.
"""

import hashlib
import hmac
import time

CALENDLY_HEADER = "Calendly-Webhook-Signature"
CALCOM_HEADER = "X-Cal-Signature-256"
CALENDLY_TOLERANCE_SECONDS = 3 * 60


class SignatureError(Exception):
    """The delivery is not signed by the provider; ``reason`` says why (for the log, never for the caller)."""

    def __init__(self, reason):
        self.reason = reason
        super().__init__(reason)


def _hmac_hex(secret, message):
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _as_bytes(body):
    return body.encode() if isinstance(body, str) else bytes(body)


def _same(expected, candidate):
    """Constant-time comparison; bytes, so a non-ASCII header cannot raise."""
    return hmac.compare_digest(expected.encode(), candidate.encode("utf-8", "replace"))


# ----------------------------------------------------------------------
# Calendly
# ----------------------------------------------------------------------

def calendly_signature(signing_key, timestamp, body):
    """Hex HMAC-SHA256 of ``<timestamp>.<body>``."""
    return _hmac_hex(signing_key, str(int(timestamp)).encode() + b"." + _as_bytes(body))


def calendly_header(signing_key, body, timestamp=None):
    """The header Calendly sends for ``body`` (used by the tests and to document the format)."""
    timestamp = int(time.time() if timestamp is None else timestamp)
    return f"t={timestamp},v1={calendly_signature(signing_key, timestamp, body)}"


def parse_calendly_header(header):
    """``(timestamp, [v1 signatures])`` from ``t=…,v1=…``; raise ``SignatureError('malformed')``."""
    timestamp = None
    signatures = []
    for part in (header or "").split(","):
        name, _sep, value = part.strip().partition("=")
        if name == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise SignatureError("malformed") from None
        elif name == "v1" and value:
            signatures.append(value.strip().lower())
    if timestamp is None or not signatures:
        raise SignatureError("malformed")
    return timestamp, signatures


def verify_calendly(signing_key, header, body, now=None, tolerance=CALENDLY_TOLERANCE_SECONDS):
    """Check a Calendly delivery; return its timestamp or raise ``SignatureError``.

    Reasons: ``no_secret`` (no signing key configured), ``missing``,
    ``malformed``, ``expired`` (timestamp more than ``tolerance`` seconds
    away from ``now``, either way), ``mismatch``.
    """
    if not signing_key:
        raise SignatureError("no_secret")
    if not header:
        raise SignatureError("missing")
    timestamp, signatures = parse_calendly_header(header)
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise SignatureError("expired")
    expected = calendly_signature(signing_key, timestamp, body)
    # compare against every v1 value (several appear while a key is being rolled)
    if not any(_same(expected, candidate) for candidate in signatures):
        raise SignatureError("mismatch")
    return timestamp


# ----------------------------------------------------------------------
# Cal.com
# ----------------------------------------------------------------------

def calcom_signature(secret, body):
    """Hex HMAC-SHA256 of the raw body."""
    return _hmac_hex(secret, _as_bytes(body))


def verify_calcom(secret, header, body):
    """Check a Cal.com delivery or raise ``SignatureError`` (``no_secret``, ``missing``, ``mismatch``)."""
    if not secret:
        raise SignatureError("no_secret")
    candidate = (header or "").strip().lower()
    if candidate.startswith("sha256="):
        candidate = candidate[len("sha256="):]
    if not candidate:
        raise SignatureError("missing")
    if not _same(calcom_signature(secret, body), candidate):
        raise SignatureError("mismatch")
    return True
