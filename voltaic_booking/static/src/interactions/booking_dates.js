/**
 * Dates and time zones for the booking page, with the browser's Intl API only.
 *
 * Days are handled as "YYYY-MM-DD" keys in a given IANA zone; instants as
 * epoch milliseconds or Date objects. No state, no DOM: the booking
 * interactions (and the self-service pages) share these helpers.
 */

/** The page's locale ("de-DE", "en-US"), from <html lang>. */
export function pageLocale() {
    return document.documentElement.lang || navigator.language || "en-US";
}

/**
 * First day of the week for a locale, 1 = Monday ... 7 = Sunday (CLDR),
 * e.g. Monday in German, Sunday in US English.
 */
export function firstDayOfWeek(locale) {
    try {
        const intlLocale = new Intl.Locale(locale);
        const info = intlLocale.getWeekInfo?.() || intlLocale.weekInfo;
        if (info?.firstDay) {
            return info.firstDay;
        }
    } catch {
        // unknown locale: fall through to the table below
    }
    const region = (locale.split("-")[1] || "").toUpperCase();
    const sundayFirst = ["US", "CA", "MX", "BR", "JP", "IL", "IN", "PH", "AU", ""];
    return locale.startsWith("en") && sundayFirst.includes(region) ? 7 : 1;
}

/** The browser's time zone, "UTC" when it cannot tell. */
export function detectTimeZone() {
    try {
        const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
        return zone && zone !== "Etc/Unknown" ? zone : "UTC";
    } catch {
        return "UTC";
    }
}

/** Whether the browser knows the zone. */
export function isTimeZone(zone) {
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: zone });
        return true;
    } catch {
        return false;
    }
}

/** The IANA zones to offer, sorted, always including ``extra`` ones. */
export function timeZoneNames(extra = []) {
    let names = [];
    try {
        names = Intl.supportedValuesOf("timeZone");
    } catch {
        names = [];
    }
    const all = new Set([...names, ...extra.filter((zone) => zone && isTimeZone(zone)), "UTC"]);
    return [...all].sort();
}

/** "GMT+1", "GMT-4", "GMT+5:30" for a zone at a given instant. */
export function offsetLabel(zone, date = new Date()) {
    try {
        const parts = new Intl.DateTimeFormat("en-US", {
            timeZone: zone,
            timeZoneName: "shortOffset",
        }).formatToParts(date);
        return parts.find((part) => part.type === "timeZoneName")?.value || "";
    } catch {
        return "";
    }
}

const dayKeyFormatters = new Map();

/** "YYYY-MM-DD" of an instant in a zone. */
export function dayKey(date, zone) {
    let formatter = dayKeyFormatters.get(zone);
    if (!formatter) {
        formatter = new Intl.DateTimeFormat("en-CA", {
            timeZone: zone,
            year: "numeric",
            month: "2-digit",
            day: "2-digit",
        });
        dayKeyFormatters.set(zone, formatter);
    }
    const parts = Object.fromEntries(formatter.formatToParts(date).map((part) => [part.type, part.value]));
    return `${parts.year}-${parts.month}-${parts.day}`;
}

/** [year, monthIndex (0-11), day] of a day key. */
export function parseKey(key) {
    const [year, month, day] = key.split("-").map(Number);
    return [year, month - 1, day];
}

/** The day key ``days`` days after ``key`` (calendar arithmetic, zone-free). */
export function addDays(key, days) {
    const [year, month, day] = parseKey(key);
    return new Date(Date.UTC(year, month, day + days)).toISOString().slice(0, 10);
}

/** Weekday of a day key, 1 = Monday ... 7 = Sunday. */
export function isoWeekday(key) {
    const [year, month, day] = parseKey(key);
    return new Date(Date.UTC(year, month, day)).getUTCDay() || 7;
}

/** Offset of a zone at an instant, in milliseconds (wall clock minus UTC). */
function zoneOffset(epoch, zone) {
    const parts = Object.fromEntries(
        new Intl.DateTimeFormat("en-US", {
            timeZone: zone,
            hourCycle: "h23",
            year: "numeric",
            month: "numeric",
            day: "numeric",
            hour: "numeric",
            minute: "numeric",
            second: "numeric",
        })
            .formatToParts(new Date(epoch))
            .map((part) => [part.type, Number(part.value)])
    );
    const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
    return wall - Math.floor(epoch / 1000) * 1000;
}

/** Epoch milliseconds of the start of a local day in a zone (DST-safe). */
export function startOfDay(key, zone) {
    const [year, month, day] = parseKey(key);
    const guess = Date.UTC(year, month, day);
    let epoch = guess - zoneOffset(guess, zone);
    const corrected = guess - zoneOffset(epoch, zone);
    if (corrected !== epoch) {
        epoch = corrected;
    }
    return epoch;
}

/**
 * The instant ranges [start, end) of "today", "this week" and "next week"
 * in a zone; weeks start on the locale's first day.
 */
export function periodBounds(period, zone, locale, now = Date.now()) {
    const today = dayKey(new Date(now), zone);
    if (period === "today") {
        return [now, startOfDay(addDays(today, 1), zone)];
    }
    const first = firstDayOfWeek(locale);
    const weekStart = addDays(today, -((isoWeekday(today) - first + 7) % 7));
    if (period === "this_week") {
        return [now, startOfDay(addDays(weekStart, 7), zone)];
    }
    return [startOfDay(addDays(weekStart, 7), zone), startOfDay(addDays(weekStart, 14), zone)];
}

const HOUR_CYCLE_KEY = "voltaic_booking.hour_cycle";

/** Whether the locale writes times on a 12-hour clock by default (en-US yes, de no). */
export function localeUses12Hours(locale) {
    try {
        const cycle = new Intl.DateTimeFormat(locale, { hour: "numeric" }).resolvedOptions().hourCycle;
        return cycle === "h12" || cycle === "h11";
    } catch {
        return false;
    }
}

/** The visitor's 12/24-hour choice, remembered in the browser; the locale's habit until they choose. */
export function uses12Hours(locale) {
    let stored = null;
    try {
        stored = window.localStorage.getItem(HOUR_CYCLE_KEY);
    } catch {
        stored = null;
    }
    return stored ? stored === "12" : localeUses12Hours(locale);
}

export function rememberHourCycle(twelve) {
    try {
        window.localStorage.setItem(HOUR_CYCLE_KEY, twelve ? "12" : "24");
    } catch {
        // private mode: the choice lasts for this page only
    }
}

/** Clock options: "9:30 AM" on a 12-hour clock, "09:30" on a 24-hour one (one spelling everywhere). */
function clockOptions(locale, twelve = uses12Hours(locale)) {
    return twelve
        ? { hour: "numeric", minute: "2-digit", hourCycle: "h12" }
        : { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
}

/** "UTC+1", "UTC-4", "UTC+5:30", "UTC" for a zone at an instant (as the server's zone_names.offset_text). */
export function utcOffset(zone, date = new Date()) {
    const offset = (offsetLabel(zone, date) || "GMT").replace(/^GMT/, "UTC");
    return /^UTC[+-]0(:00)?$/.test(offset) ? "UTC" : offset;
}

/** The zone's city: "New York" for America/New_York. */
export function zoneCity(zone) {
    return zone.split("/").pop().replaceAll("_", " ");
}

/** "Central European Time — Berlin (UTC+1)", in the page's language (as the server's zone_names.zone_label). */
export function zoneLabel(zone, locale, date = new Date()) {
    if (zone === "UTC" || zone === "Etc/UTC") {
        return "UTC";
    }
    let name = "";
    try {
        name =
            new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "longGeneric" })
                .formatToParts(date)
                .find((part) => part.type === "timeZoneName")?.value || "";
    } catch {
        name = "";
    }
    const city = zoneCity(zone);
    const offset = utcOffset(zone, date);
    if (!name || /^(GMT|UTC)/.test(name)) {
        return `${city} (${offset})`;
    }
    return name.includes(city) ? `${name} (${offset})` : `${name} — ${city} (${offset})`;
}

/** The region a zone is listed under: "Europe", "America", … ("Other" for UTC and the like). */
export function zoneRegion(zone) {
    return zone.includes("/") ? zone.split("/")[0] : "Other";
}

/** Formatters in the page's language, on the visitor's 12- or 24-hour clock. */
export function formatters(locale, zone, twelve = uses12Hours(locale)) {
    return {
        time: new Intl.DateTimeFormat(locale, { ...clockOptions(locale, twelve), timeZone: zone }),
        dayMonth: new Intl.DateTimeFormat(locale, {
            weekday: "short",
            day: "numeric",
            month: "short",
            timeZone: zone,
        }),
        deadline: new Intl.DateTimeFormat(locale, {
            weekday: "short",
            day: "numeric",
            month: "short",
            ...clockOptions(locale, twelve),
            timeZone: zone,
        }),
        longDay: new Intl.DateTimeFormat(locale, {
            weekday: "long",
            day: "numeric",
            month: "long",
            year: "numeric",
            timeZone: zone,
        }),
    };
}

/** Formatting of day keys (no zone shift: a key is already local). */
export function keyFormatters(locale) {
    const utc = { timeZone: "UTC" };
    return {
        month: new Intl.DateTimeFormat(locale, { month: "long", year: "numeric", ...utc }),
        weekdayShort: new Intl.DateTimeFormat(locale, { weekday: "short", ...utc }),
        weekdayLong: new Intl.DateTimeFormat(locale, { weekday: "long", ...utc }),
        dayTitle: new Intl.DateTimeFormat(locale, { weekday: "long", day: "numeric", month: "long", ...utc }),
        full: new Intl.DateTimeFormat(locale, {
            weekday: "long",
            day: "numeric",
            month: "long",
            year: "numeric",
            ...utc,
        }),
    };
}

/** A Date at noon UTC of a day key, to format it with ``keyFormatters``. */
export function keyDate(key) {
    const [year, month, day] = parseKey(key);
    return new Date(Date.UTC(year, month, day, 12));
}
