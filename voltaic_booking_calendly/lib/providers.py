"""Calendly and Cal.com deliveries mapped to one neutral shape (no Odoo import).

Every webhook delivery (and every booking read back from a provider's API by
the reconciliation) becomes a plain dict, the *change*:

``provider``        ``calendly`` or ``calcom``
``event_type``      the provider's event name (``invitee.created``, ``BOOKING_CREATED``...)
``kind``            ``created``, ``rescheduled``, ``cancelled``, ``no_show``,
                    ``no_show_removed``, ``ended``; None when there is nothing to apply
``uid``             the provider's id of *this client's booking*: Calendly's invitee
                    UUID, Cal.com's booking uid
``previous_uid``    the booking this one replaces after a reschedule (Calendly
                    ``old_invitee``, Cal.com ``rescheduleUid`` / ``rescheduledFromUid``)
``next_uid``        the booking that replaced this one (Calendly ``new_invitee``,
                    Cal.com ``rescheduledToUid``)
``rescheduled``     True on the cancel half of a reschedule
``event_id``        Calendly's scheduled event UUID, Cal.com's numeric booking id
``start``/``end``   aware UTC datetimes (None when the event does not carry them)
``timezone``        the client's IANA zone
``first_name``, ``last_name``, ``name``, ``email``, ``phone``, ``language`` (a short code: en, de, fr, … or None)
``host_emails``     the hosts' emails, the organizer first
``event_type_id``, ``event_type_slug``, ``event_type_name``
``meeting_type``    ``video``, ``phone`` or ``in_person``
``location``        the meeting link, phone number or address
``company``, ``subject``, ``message``, ``answers`` ([{"question", "answer"}])
``cancel_url``, ``reschedule_url``, ``cancel_reason``
"""

import hashlib
import json
import re
from datetime import datetime, timezone
from urllib.parse import urlencode, urlsplit

UTC = timezone.utc

CALENDLY = "calendly"
CALCOM = "calcom"
PROVIDERS = (CALENDLY, CALCOM)

KINDS = ("created", "rescheduled", "cancelled", "no_show", "no_show_removed", "ended")

CALENDLY_EVENTS = {
    "invitee.created": "created",
    "invitee.canceled": "cancelled",
    "invitee_no_show.created": "no_show",
    "invitee_no_show.deleted": "no_show_removed",
}
CALCOM_EVENTS = {
    "BOOKING_CREATED": "created",
    "BOOKING_RESCHEDULED": "rescheduled",
    "BOOKING_CANCELLED": "cancelled",
    "BOOKING_NO_SHOW_UPDATED": "no_show",
    "MEETING_ENDED": "ended",
}
SUBSCRIBED_EVENTS = {CALENDLY: tuple(CALENDLY_EVENTS), CALCOM: tuple(CALCOM_EVENTS)}

# the client's answers that fill the booking's company and message
COMPANY_WORDS = ("company", "organisation", "organization", "firma", "unternehmen", "employer", "business")
MESSAGE_WORDS = (
    "message", "notes", "note", "anything", "share", "topic", "agenda", "discuss", "help", "prepare",
    "question", "nachricht", "anmerkung", "thema", "anliegen", "besprechen",
)
PHONE_WORDS = ("phone", "telefon", "mobile", "handy")
VIDEO_LOCATION_TYPES = (
    "google_conference", "zoom", "zoom_conference", "gotomeeting", "gotomeeting_conference",
    "microsoft_teams_conference", "webex_conference",
)
URL_RE = re.compile(r"^https?://", re.IGNORECASE)


class PayloadError(ValueError):
    """The delivery lacks what its event needs (a booking id, a start time...)."""


# ----------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------

def parse_time(value):
    """An aware UTC datetime from an ISO-8601 string (``Z``, offsets and fractions accepted), or None."""
    if not value or not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def uuid_from_uri(uri):
    """``…/scheduled_events/AAA/invitees/BBB`` → ``BBB``; plain ids are returned as they are."""
    if not uri or not isinstance(uri, str):
        return None
    return uri.rstrip("/").rsplit("/", 1)[-1] or None


def split_name(name):
    """``(first, last)`` from a full name: the last word is the last name."""
    words = (name or "").split()
    if not words:
        return "", ""
    if len(words) == 1:
        return words[0], ""
    return " ".join(words[:-1]), words[-1]


def _text(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value if _text(item))
    if isinstance(value, dict):
        return _text(value.get("value") or value.get("label"))
    return str(value).strip()


def _minutes(start, end):
    if start and end and end > start:
        return int((end - start).total_seconds() // 60)
    return None


def _matches(label, words):
    label = (label or "").lower()
    return any(re.search(rf"\b{re.escape(word)}", label) for word in words)


def _sort_answers(answers, want_message=True):
    """Company, phone and message out of free questions; the rest stays in ``answers``."""
    company = message = phone = ""
    rest = []
    for item in answers:
        # Cal.com fields also have an identifier (``company``) next to their label
        probe, answer = f"{item.get('key') or ''} {item['question']}", item["answer"]
        if not answer:
            continue
        if not company and _matches(probe, COMPANY_WORDS):
            company = answer
        elif not phone and _matches(probe, PHONE_WORDS):
            phone = answer
        elif want_message and not message and _matches(probe, MESSAGE_WORDS):
            message = answer
        else:
            rest.append({"question": item["question"], "answer": answer})
    return company, phone, message, rest


def _with_other_answers(message, answers):
    """The message, followed by the answers that found no field of their own."""
    lines = [message] if message else []
    lines += [f"{item['question']}: {item['answer']}" for item in answers]
    return "\n".join(lines)


def _change(provider, event_name, kind, **values):
    change = {
        "provider": provider, "event_type": event_name, "kind": kind,
        "uid": None, "previous_uid": None, "next_uid": None, "rescheduled": False, "event_id": None,
        "start": None, "end": None, "duration": None, "timezone": None,
        "first_name": "", "last_name": "", "name": "", "email": "", "phone": "", "language": None,
        "host_emails": [], "event_type_id": None, "event_type_slug": None, "event_type_name": None,
        "meeting_type": None, "location": "", "company": "", "subject": "", "message": "", "answers": [],
        "cancel_url": None, "reschedule_url": None, "cancel_reason": "", "status": None,
    }
    change.update(values)
    change["duration"] = change["duration"] or _minutes(change["start"], change["end"])
    change["host_emails"] = list(dict.fromkeys(email.strip().lower() for email in change["host_emails"] if email))
    change["email"] = (change["email"] or "").strip().lower()
    if not change["name"]:
        change["name"] = " ".join(filter(None, [change["first_name"], change["last_name"]]))
    if not change["first_name"] and not change["last_name"]:
        change["first_name"], change["last_name"] = split_name(change["name"])
    return change


# ----------------------------------------------------------------------
# Dispatch
# ----------------------------------------------------------------------

def event_type(provider, data):
    """The provider's event name of a delivery, or None."""
    if not isinstance(data, dict):
        return None
    value = data.get("event") if provider == CALENDLY else data.get("triggerEvent")
    return value if isinstance(value, str) else None


def is_supported(provider, name):
    return name in (CALENDLY_EVENTS if provider == CALENDLY else CALCOM_EVENTS)


def normalize(provider, data, origin="webhook"):
    """The change a delivery (``origin='webhook'``) or an API record (``'reconciliation'``) describes."""
    if provider == CALENDLY:
        return normalize_calendly(data)
    if provider == CALCOM:
        if origin == "reconciliation":
            return normalize_calcom_api_booking(data)
        return normalize_calcom(data)
    raise PayloadError(f"unknown provider {provider!r}")


def delivery_key(provider, data):
    """A key that is the same for every copy of one delivery (retries, replays) and differs otherwise."""
    name = event_type(provider, data) or "unknown"
    if provider == CALENDLY:
        payload = data.get("payload") if isinstance(data.get("payload"), dict) else {}
        resource = payload.get("invitee") if name.startswith("invitee_no_show") and payload.get("invitee") \
            else payload.get("uri")
        subject = uuid_from_uri(resource)
        stamp = data.get("created_at")
        if subject and stamp:
            return f"{name}:{subject}:{stamp}"
    else:
        payload = data.get("payload") if isinstance(data.get("payload"), dict) else data
        uid = payload.get("uid") or payload.get("bookingUid")
        if uid and name == "MEETING_ENDED":
            return f"{name}:{uid}"
        if uid and data.get("createdAt"):
            key = f"{name}:{uid}:{data['createdAt']}"
            if name == "BOOKING_NO_SHOW_UPDATED":
                flags = ",".join(f"{a.get('email')}={a.get('noShow')}" for a in payload.get("attendees") or []
                                 if isinstance(a, dict))
                key += f":{flags}"
            return key[:500]
    body = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    return f"{name}:sha256:{hashlib.sha256(body).hexdigest()}"


# ----------------------------------------------------------------------
# Calendly
# ----------------------------------------------------------------------

def _calendly_location(location):
    """``(meeting_type, location)`` from a scheduled event's ``location`` object."""
    if not isinstance(location, dict):
        text = _text(location)
        return ("video" if URL_RE.match(text) else "in_person" if text else None), text
    kind = location.get("type") or ""
    join_url = location.get("join_url") or ""
    where = _text(location.get("location"))
    if kind in VIDEO_LOCATION_TYPES or join_url:
        return "video", join_url or where
    if kind in ("outbound_call", "inbound_call"):
        return "phone", where
    if kind in ("physical", "ask_invitee"):
        return "in_person", where
    if where:
        return ("video" if URL_RE.match(where) else "in_person"), where
    return None, ""


def normalize_calendly(data):
    """A Calendly delivery (``{"event", "created_at", "payload"}``) as a change."""
    name = event_type(CALENDLY, data)
    if not is_supported(CALENDLY, name):
        return _change(CALENDLY, name, None)
    payload = data.get("payload")
    if not isinstance(payload, dict):
        raise PayloadError("payload missing")
    kind = CALENDLY_EVENTS[name]
    if kind in ("no_show", "no_show_removed"):
        invitee_uri = payload.get("invitee") if isinstance(payload.get("invitee"), str) else payload.get("uri")
        uid = uuid_from_uri(invitee_uri)
        if not uid:
            raise PayloadError("no invitee in the no-show delivery")
        event = payload.get("scheduled_event") if isinstance(payload.get("scheduled_event"), dict) else {}
        return _change(CALENDLY, name, kind, uid=uid, email=payload.get("email") or "",
                       event_id=uuid_from_uri(event.get("uri") or payload.get("event")),
                       host_emails=[m.get("user_email") for m in event.get("event_memberships") or []])
    uid = uuid_from_uri(payload.get("uri"))
    if not uid:
        raise PayloadError("no invitee uri")
    event = payload.get("scheduled_event")
    if not isinstance(event, dict):
        raise PayloadError("no scheduled_event in the delivery")
    start, end = parse_time(event.get("start_time")), parse_time(event.get("end_time"))
    if not start or not end:
        raise PayloadError("no start or end time")
    answers = [
        {"question": _text(item.get("question")), "answer": _text(item.get("answer"))}
        for item in sorted(payload.get("questions_and_answers") or [], key=lambda item: item.get("position") or 0)
        if isinstance(item, dict)
    ]
    company, phone, message, rest = _sort_answers(answers)
    meeting_type, location = _calendly_location(event.get("location"))
    if meeting_type == "phone" and not phone and (event.get("location") or {}).get("type") == "outbound_call":
        phone = location
    previous_uid = uuid_from_uri(payload.get("old_invitee"))
    if kind == "created" and previous_uid:
        kind = "rescheduled"
    cancellation = payload.get("cancellation") if isinstance(payload.get("cancellation"), dict) else {}
    return _change(
        CALENDLY, name, kind,
        uid=uid,
        previous_uid=previous_uid,
        next_uid=uuid_from_uri(payload.get("new_invitee")),
        rescheduled=bool(payload.get("rescheduled")) and kind == "cancelled",
        event_id=uuid_from_uri(event.get("uri") or payload.get("event")),
        start=start, end=end,
        timezone=payload.get("timezone"),
        first_name=(payload.get("first_name") or "").strip(),
        last_name=(payload.get("last_name") or "").strip(),
        name=(payload.get("name") or "").strip(),
        email=payload.get("email") or "",
        phone=phone or (payload.get("text_reminder_number") or ""),
        host_emails=[m.get("user_email") for m in event.get("event_memberships") or [] if isinstance(m, dict)],
        event_type_id=uuid_from_uri(event.get("event_type")),
        event_type_name=event.get("name"),
        meeting_type=meeting_type, location=location,
        company=company, subject=event.get("name") or "",
        message=_with_other_answers(message, rest), answers=answers,
        cancel_url=payload.get("cancel_url"), reschedule_url=payload.get("reschedule_url"),
        cancel_reason=_text(cancellation.get("reason")),
        status=payload.get("status"),
    )


def calendly_api_delivery(scheduled_event, invitee):
    """A delivery shaped like Calendly's webhook from API v2 records (``scheduled_events`` + ``invitees``).

    The reconciliation stores it in the inbox like a webhook, so one code path applies both.
    """
    canceled = invitee.get("status") == "canceled" or scheduled_event.get("status") == "canceled"
    return {
        "event": "invitee.canceled" if canceled else "invitee.created",
        "created_at": invitee.get("updated_at") or invitee.get("created_at"),
        "payload": {**invitee, "scheduled_event": scheduled_event},
    }


# ----------------------------------------------------------------------
# Cal.com
# ----------------------------------------------------------------------

def _calcom_meeting(location, video_url, option_value=""):
    """``(meeting_type, location)`` from a Cal.com location string and the video call url."""
    location = _text(location)
    if video_url:
        return "video", video_url
    if URL_RE.match(location):
        return "video", location
    if location.startswith("integrations:"):
        return "video", ""
    if location in ("phone", "userPhone", "attendeePhone") or location.startswith("+"):
        return "phone", option_value or ("" if location in ("phone", "userPhone", "attendeePhone") else location)
    if location in ("inPerson", "attendeeInPerson"):
        return "in_person", option_value
    if location:
        return "in_person", location
    return None, ""


def _calcom_responses(responses):
    """Name, email, phone, company, subject, notes and the other answers from ``responses``."""
    found = {"first_name": "", "last_name": "", "name": "", "email": "", "phone": "", "company": "",
             "subject": "", "message": "", "answers": [], "location_option": ""}
    standard = {"name", "email", "attendeePhoneNumber", "location", "title", "notes", "guests",
                "rescheduleReason", "smsReminderNumber"}
    for key, item in (responses or {}).items():
        value = item.get("value") if isinstance(item, dict) else item
        label = item.get("label") if isinstance(item, dict) else key
        if key == "name":
            if isinstance(value, dict):
                found["first_name"] = _text(value.get("firstName"))
                found["last_name"] = _text(value.get("lastName"))
            else:
                found["name"] = _text(value)
        elif key == "email":
            found["email"] = _text(value)
        elif key == "attendeePhoneNumber":
            found["phone"] = _text(value)
        elif key == "title":
            found["subject"] = _text(value)
        elif key == "notes":
            found["message"] = _text(value)
        elif key == "location" and isinstance(value, dict):
            found["location_option"] = _text(value.get("optionValue"))
        elif key not in standard and _text(value):
            found["answers"].append({"question": _text(label) or key, "answer": _text(value), "key": key})
    company, phone, message, rest = _sort_answers(found["answers"], want_message=not found["message"])
    found["company"] = company
    found["phone"] = found["phone"] or phone
    found["message"] = found["message"] or message
    found["answers"] = rest
    return found


def _calcom_language(locale):
    code = (locale or "").split("-")[0].split("_")[0].lower()
    return code if code.isalpha() else None


def normalize_calcom(data):
    """A Cal.com delivery (``{"triggerEvent", "createdAt", "payload"}``; meeting events are flat) as a change."""
    name = event_type(CALCOM, data)
    if not is_supported(CALCOM, name):
        return _change(CALCOM, name, None)
    payload = data.get("payload") if isinstance(data.get("payload"), dict) else data
    kind = CALCOM_EVENTS[name]
    if name == "BOOKING_NO_SHOW_UPDATED":
        uid = payload.get("bookingUid")
        if not uid:
            raise PayloadError("no bookingUid in the no-show delivery")
        attendees = [a for a in payload.get("attendees") or [] if isinstance(a, dict)]
        absent = any(a.get("noShow") for a in attendees)
        return _change(CALCOM, name, "no_show" if absent else "no_show_removed", uid=uid,
                       event_id=str(payload.get("bookingId") or "") or None,
                       email=next((a.get("email") for a in attendees if a.get("email")), ""))
    uid = payload.get("uid")
    if not uid:
        raise PayloadError("no booking uid")
    start, end = parse_time(payload.get("startTime")), parse_time(payload.get("endTime"))
    if kind != "ended" and (not start or not end):
        raise PayloadError("no start or end time")
    attendees = [a for a in payload.get("attendees") or [] if isinstance(a, dict)]
    attendee = attendees[0] if attendees else {}
    organizer = payload.get("organizer") or payload.get("user") or {}
    hosts = [organizer.get("email"), payload.get("userPrimaryEmail")]
    hosts += [member.get("email") for member in (payload.get("team") or {}).get("members") or []
              if isinstance(member, dict)]
    found = _calcom_responses(payload.get("responses"))
    video_url = (payload.get("videoCallData") or {}).get("url") or (payload.get("metadata") or {}).get("videoCallUrl")
    meeting_type, location = _calcom_meeting(payload.get("location"), video_url, found["location_option"])
    language = attendee.get("language")
    if isinstance(language, dict):
        language = language.get("locale")
    message = found["message"] or _text(payload.get("additionalNotes"))
    return _change(
        CALCOM, name, kind,
        uid=uid,
        previous_uid=payload.get("rescheduleUid") or payload.get("fromReschedule") or None,
        event_id=str(payload.get("bookingId") or payload.get("id") or "") or None,
        start=start, end=end, duration=payload.get("length") if isinstance(payload.get("length"), int) else None,
        timezone=attendee.get("timeZone"),
        first_name=found["first_name"] or _text(attendee.get("firstName")),
        last_name=found["last_name"] or _text(attendee.get("lastName")),
        name=found["name"] or _text(attendee.get("name")),
        email=found["email"] or attendee.get("email") or "",
        phone=found["phone"] or _text(attendee.get("phoneNumber")),
        language=_calcom_language(language or attendee.get("locale")),
        host_emails=hosts,
        event_type_id=str(payload.get("eventTypeId")) if payload.get("eventTypeId") else None,
        event_type_slug=payload.get("type") if isinstance(payload.get("type"), str) else None,
        event_type_name=payload.get("eventTitle"),
        meeting_type=meeting_type, location=location,
        company=found["company"], subject=found["subject"] or payload.get("eventTitle") or "",
        message=_with_other_answers(message, found["answers"]), answers=found["answers"],
        cancel_reason=_text(payload.get("cancellationReason")),
        status=payload.get("status"),
        **_calcom_links(payload.get("bookerUrl"), uid),
    )


def _calcom_links(booker_url, uid):
    """The client's own links of a Cal.com booking (as in Cal.com's e-mails), from the delivery's ``bookerUrl``."""
    if not isinstance(booker_url, str) or not booker_url.startswith("https://"):
        return {}
    base = booker_url.rstrip("/")
    return {"reschedule_url": f"{base}/reschedule/{uid}", "cancel_url": f"{base}/booking/{uid}?cancel=true"}


def normalize_calcom_api_booking(booking):
    """A booking of Cal.com's API v2 (``GET /v2/bookings``, version 2024-08-13) as a change."""
    uid = booking.get("uid")
    if not uid:
        raise PayloadError("no booking uid")
    status = (booking.get("status") or "").lower()
    if status == "accepted":
        kind = "rescheduled" if booking.get("rescheduledFromUid") else "created"
        trigger = "BOOKING_RESCHEDULED" if kind == "rescheduled" else "BOOKING_CREATED"
    elif status in ("cancelled", "rejected"):
        kind, trigger = "cancelled", "BOOKING_CANCELLED"
    else:
        return _change(CALCOM, f"api:{status}", None, uid=uid)
    start, end = parse_time(booking.get("start")), parse_time(booking.get("end"))
    if not start or not end:
        raise PayloadError("no start or end time")
    attendees = [a for a in booking.get("attendees") or [] if isinstance(a, dict)]
    attendee = attendees[0] if attendees else {}
    responses = booking.get("bookingFieldsResponses") or {}
    found = _calcom_responses({key: {"value": value, "label": key} for key, value in responses.items()})
    meeting_type, location = _calcom_meeting(booking.get("location"), booking.get("meetingUrl"))
    booked_type = booking.get("eventType") or {}
    return _change(
        CALCOM, trigger, kind,
        uid=uid,
        previous_uid=booking.get("rescheduledFromUid") or None,
        next_uid=booking.get("rescheduledToUid") or None,
        rescheduled=kind == "cancelled" and bool(booking.get("rescheduledToUid")),
        event_id=str(booking.get("id") or "") or None,
        start=start, end=end, duration=booking.get("duration") if isinstance(booking.get("duration"), int) else None,
        timezone=attendee.get("timeZone"),
        first_name=found["first_name"], last_name=found["last_name"],
        name=found["name"] or _text(attendee.get("name")),
        email=found["email"] or attendee.get("email") or "",
        phone=found["phone"] or _text(attendee.get("phoneNumber")),
        language=_calcom_language(attendee.get("language")),
        host_emails=[host.get("email") for host in booking.get("hosts") or [] if isinstance(host, dict)],
        event_type_id=str(booking.get("eventTypeId") or booked_type.get("id") or "") or None,
        event_type_slug=booked_type.get("slug"),
        event_type_name=booking.get("title"),
        meeting_type=meeting_type, location=location,
        company=found["company"], subject=found["subject"] or booking.get("title") or "",
        message=_with_other_answers(found["message"], found["answers"]), answers=found["answers"],
        cancel_reason=_text(booking.get("cancellationReason")),
        status=status,
    )


# ----------------------------------------------------------------------
# Linked scheduling: the provider's page, prefilled
# ----------------------------------------------------------------------

def detect_provider(url):
    """``calendly`` or ``calcom`` from a scheduling link's host, else None."""
    host = (urlsplit(url or "").hostname or "").lower()
    if host == "calendly.com" or host.endswith(".calendly.com"):
        return CALENDLY
    if host in ("cal.com", "app.cal.com", "cal.eu") or host.endswith(".cal.com"):
        return CALCOM
    return None


def scheduling_embed_url(provider, url, prefill=None, embed_domain=None):
    """The provider's booking page for an inline frame, prefilled with what the client entered.

    :param prefill: ``name``, ``first_name``, ``last_name``, ``email``, ``phone``, ``company``,
        ``message`` (empty values are left out).
    Calendly takes ``name``/``first_name``/``last_name``/``email`` and the answers of the event
    type's custom questions as ``a1``, ``a2``... (here: company, then message); Cal.com takes any
    booking field by its identifier (``name``, ``email``, ``notes``, ``attendeePhoneNumber``,
    ``company``).
    """
    prefill = {key: value for key, value in (prefill or {}).items() if value}
    if provider == CALENDLY:
        params = {key: prefill[key] for key in ("name", "first_name", "last_name", "email") if key in prefill}
        for index, key in enumerate(("company", "message"), start=1):
            if key in prefill:
                params[f"a{index}"] = prefill[key]
        params.update({"embed_type": "Inline", "hide_gdpr_banner": "1"})
        if embed_domain:
            params["embed_domain"] = embed_domain
    elif provider == CALCOM:
        params = {"embed": "voltaic", "embedType": "inline", "layout": "month_view"}
        for source, target in (("name", "name"), ("email", "email"), ("message", "notes"),
                               ("phone", "attendeePhoneNumber"), ("company", "company")):
            if source in prefill:
                params[target] = prefill[source]
    else:
        raise ValueError(f"unknown provider {provider!r}")
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{urlencode(params)}"
