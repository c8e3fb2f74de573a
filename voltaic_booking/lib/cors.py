"""CORS for the public JSON API: which origins may read its answers, and the headers that say so.

Plain functions over strings; ``ir.http`` (``models/ir_http.py``) reads the setting and applies them.
"""

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
# what a browser may send on a cross-origin call of the API (besides the CORS-safelisted headers)
ALLOWED_HEADERS = ("Content-Type", "Authorization", "Idempotency-Key")
# answer headers a script on another origin may read (besides the safelisted ones)
EXPOSED_HEADERS = ("Retry-After",)


def normalize_origin(value):
    """``scheme://host[:port]`` as a browser sends it in ``Origin`` (lower case, no default port), or None.

    Anything else (a path, a query, credentials, another scheme, ``*``) is not an origin: None.
    """
    value = (value or "").strip().rstrip("/")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.path or parts.query or parts.fragment or "@" in parts.netloc:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


def parse_origins(text):
    """The allowed origins of a setting: origins separated by commas and/or white space; invalid ones left out."""
    entries = (text or "").replace(",", " ").split()
    return frozenset(origin for origin in map(normalize_origin, entries) if origin)


def allowed_origin(origin, allowed):
    """The ``Origin`` header to echo in ``Access-Control-Allow-Origin``, or None when it is not allowed."""
    if not origin or not allowed:
        return None
    return origin if normalize_origin(origin) in allowed else None


def answer_headers(origin):
    """Headers of an answer to an allowed ``origin``."""
    return [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Expose-Headers", ", ".join(EXPOSED_HEADERS)),
    ]


def preflight_headers(methods, max_age):
    """What a preflight (``OPTIONS``) of an allowed origin for a route of ``methods`` adds to ``answer_headers``."""
    return [
        ("Access-Control-Allow-Methods", ", ".join([*methods, "OPTIONS"])),
        ("Access-Control-Allow-Headers", ", ".join(ALLOWED_HEADERS)),
        ("Access-Control-Max-Age", str(max_age)),
    ]
