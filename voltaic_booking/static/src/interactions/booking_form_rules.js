/**
 * Rules of the booking form that the booking service applies too: the page
 * mirrors voltaic_booking/lib/client_form.py (keep both in step; both are
 * tested with the same examples).
 */

const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const EMAIL_RE = new RegExp(`^${ATOM}(?:\\.${ATOM})*@(?:${LABEL}\\.)+[A-Za-z]{2,63}$`);

/** ``jane.doe@example.com`` yes; ``jane..doe@example.com``, ``jane@example`` no. */
export function isValidEmail(value) {
    if (typeof value !== "string") {
        return false;
    }
    const email = value.trim();
    if (!email || email.length > 254 || !EMAIL_RE.test(email)) {
        return false;
    }
    return email.slice(0, email.lastIndexOf("@")).length <= 64;
}
