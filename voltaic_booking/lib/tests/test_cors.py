"""Which origins may read the API's answers (``lib/cors.py``)."""

from voltaic_booking_lib import cors


def test_origins_of_the_setting_are_normalized_and_invalid_ones_dropped():
    allowed = cors.parse_origins(
        "https://App.Example.com, http://localhost:3000\nhttps://shop.example.com:443/ "
        "https://example.com/path * ftp://files.example.com ,,")
    assert allowed == {"https://app.example.com", "http://localhost:3000", "https://shop.example.com"}
    assert cors.parse_origins("") == frozenset()
    assert cors.parse_origins(None) == frozenset()


def test_only_listed_origins_are_echoed():
    allowed = cors.parse_origins("https://app.example.com http://localhost:3000")
    assert cors.allowed_origin("https://app.example.com", allowed) == "https://app.example.com"
    assert cors.allowed_origin("http://localhost:3000", allowed) == "http://localhost:3000"
    for origin in ("https://evil.example.com", "http://app.example.com", "https://app.example.com:8443",
                   "http://localhost:3001", "null", "", None):
        assert cors.allowed_origin(origin, allowed) is None, origin
    assert cors.allowed_origin("https://app.example.com", frozenset()) is None, "an empty setting allows none"


def test_preflight_headers():
    headers = dict(cors.answer_headers("https://app.example.com") + cors.preflight_headers(["POST"], 86400))
    assert headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert headers["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    assert headers["Access-Control-Allow-Headers"] == "Content-Type, Authorization, Idempotency-Key"
    assert headers["Access-Control-Max-Age"] == "86400"
    assert headers["Access-Control-Expose-Headers"] == "Retry-After"
