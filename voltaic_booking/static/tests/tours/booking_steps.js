/**
 * The steps the booking-page tours share: the first free time of step 2, the short form of step 3,
 * the submit and the confirmation. Tours of this addon and of its companions import them from
 * "@voltaic_booking/../tests/tours/booking_steps" and add their own checks around them.
 */

/** The first free time listed on step 2 (once the slots are loaded). */
export const FIRST_SLOT =
    ".o_vbw_panel[data-panel='2']:not(.d-none) .o_vbw_slots[aria-busy='false'] .o_vbw_slot[data-start]";

/** Click the first free time of step 2 and continue to the details. */
export function pickFirstSlot(content = "The slots of the first free day are listed") {
    return [
        { content, trigger: FIRST_SLOT, run: "click" },
        toDetails(),
    ];
}

/** As ``pickFirstSlot``, checking that the time shows as chosen before continuing. */
export function pickAndCheckFirstSlot(content = "The slots of the first free day are listed") {
    return [
        { content, trigger: FIRST_SLOT, run: "click" },
        { content: "The slot is selected", trigger: ".o_vbw_slot[data-start][aria-pressed='true']" },
        toDetails(),
    ];
}

/** Step 2's "Continue" to the details. */
export function toDetails() {
    return { content: "Continue to the details", trigger: ".o_vbw_to_details:enabled", run: "click" };
}

/** The short form's required fields: first and last name, e-mail. */
export function fillName({ first, last, email }) {
    return [
        { content: "First name", trigger: "#vbw_first_name", run: `edit ${first}` },
        { content: "Last name", trigger: "#vbw_last_name", run: `edit ${last}` },
        { content: "Email", trigger: "#vbw_email", run: `edit ${email}` },
    ];
}

/** Open the optional fields behind "Add details". */
export function openAddDetails() {
    return { content: "Open Add details", trigger: ".o_vbw_more_details_toggle", run: "click" };
}

/** The one consent line (terms and privacy policy). */
export function acceptTerms() {
    return { content: "Accept the terms and the privacy policy (one line)", trigger: "#vbw_consent", run: "check" };
}

/** Submit the form: the page changes (confirmation, or the payment page of a paid consultation). */
export function submitBooking(content = "Confirm the booking") {
    return { content, trigger: ".o_vbw_submit", run: "click", expectUnloadPage: true };
}

/** Step 4: the confirmation shows the booking's reference. */
export function confirmedReference(content = "The confirmation shows the reference") {
    return { content, trigger: ".o_vbw_confirmed .o_vbw_reference:contains('VLT-')" };
}

/** Wait (up to 5 s) until ``check()`` returns something true, and return it. */
export async function waitFor(check, what) {
    for (let i = 0; i < 100; i++) {
        const value = check();
        if (value) {
            return value;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`Timed out waiting for ${what}`);
}

/**
 * Open the free day number ``index`` (0 = the first) of the month picker in ``scope`` (step 2 of the
 * booking page, or the manage page's reschedule section), turning to the next month when this one has
 * too few; done once that day's times are loaded.
 */
export function pickFreeDay(scope, index, content) {
    return {
        content,
        trigger: `${scope} .o_vbw_slots[aria-busy='false'] .o_vbw_slot[data-start]`,
        async run() {
            const freeDays = () => [...document.querySelectorAll(`${scope} .o_vbw_day_free:not([disabled])`)];
            if (freeDays().length <= index) {
                document.querySelector(`${scope} .o_vbw_month_next`).click();
                await waitFor(() => document.querySelector(`${scope} .o_vbw_slots[aria-busy='false']`) &&
                    freeDays().length > index, "the next month");
            }
            freeDays()[index].click();
            await waitFor(() => document.querySelector(`${scope} .o_vbw_slots[aria-busy='false']`) &&
                document.querySelector(`${scope} .o_vbw_day_selected`) === freeDays()[index], "the chosen day");
        },
    };
}
