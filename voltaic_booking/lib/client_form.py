"""Rules of the booking form shared by the booking service and the page's script.

Plain functions (no Odoo import). The page mirrors them in
``static/src/interactions/booking_form_rules.js``: keep both in step (their
tests use the same examples).
"""

import re

# local part: dot-separated atoms of the characters RFC 5322 allows unquoted (no leading, trailing or double dot);
# domain: dot-separated labels of letters, digits and inner hyphens, ending in a top-level domain of 2+ letters
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_RE = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$")
EMAIL_MAX = 254
LOCAL_PART_MAX = 64

# the details a client may give besides name and e-mail; a consultant may make some of them required
OPTIONAL_DETAILS = ("phone", "company", "position", "website", "language", "subject")


def is_valid_email(value):
    """Whether ``value`` is an address a client can be written to: ``jane.doe@example.com`` yes,
    ``jane..doe@example.com``, ``.jane@example.com``, ``jane@example`` or ``jane@-example.com`` no."""
    if not isinstance(value, str):
        return False
    value = value.strip()
    if not value or len(value) > EMAIL_MAX or not EMAIL_RE.match(value):
        return False
    return len(value.rsplit("@", 1)[0]) <= LOCAL_PART_MAX


def missing_required_details(values, required):
    """The names among ``required`` (a subset of ``OPTIONAL_DETAILS``) that ``values`` leaves empty."""
    return [name for name in OPTIONAL_DETAILS
            if name in required and not str(values.get(name) or "").strip()]
