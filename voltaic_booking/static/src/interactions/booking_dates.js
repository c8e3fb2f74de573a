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

/** Formatters in the page's language (24-hour clock in German, the locale's habit in English). */
export function formatters(locale, zone) {
    return {
        time: new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit", timeZone: zone }),
        dayMonth: new Intl.DateTimeFormat(locale, {
            weekday: "short",
            day: "numeric",
            month: "short",
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
