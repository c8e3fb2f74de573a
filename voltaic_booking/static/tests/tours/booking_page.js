import { registry } from "@web/core/registry";

import {
    acceptTerms,
    confirmedReference,
    fillName,
    openAddDetails,
    pickAndCheckFirstSlot,
    submitBooking,
} from "@voltaic_booking/../tests/tours/booking_steps";

/**
 * Tours of the public booking page (/book-consultation), started by
 * tests/test_booking_page.py, which creates the consultants named here
 * and checks the booking, its lead and its event afterwards.
 */

const CONSULTANT = "Tess Tourner";
const OTHER = "Otto Other";

function step2Visible() {
    return {
        content: "Step 2 (date and time) is shown",
        trigger: ".o_vbw_panel[data-panel='2']:not(.d-none) .o_vbw_month_title:not(:empty)",
    };
}

function pickFirstSlot() {
    return [
        ...pickAndCheckFirstSlot(),
        {
            content: "Step 3 (details) is shown with the summary",
            trigger: ".o_vbw_panel[data-panel='3']:not(.d-none) .o_vbw_summary_consultant:contains('" + CONSULTANT + "')",
        },
    ];
}

function fillDetails({ first, last, email }) {
    return [
        ...fillName({ first, last, email }),
        openAddDetails(),
        { content: "Phone", trigger: "#vbw_phone", run: "edit +49 30 1234567" },
        { content: "Company", trigger: "#vbw_company", run: "edit Tour Energy GmbH" },
        { content: "Subject", trigger: "#vbw_subject", run: "edit Rooftop solar" },
        { content: "Message", trigger: "#vbw_message", run: "edit We plan 2 MW on our warehouses." },
        acceptTerms(),
    ];
}

function submitAndConfirm() {
    return [
        submitBooking(),
        confirmedReference("Step 4: the confirmation shows the reference"),
        {
            content: "Add to Google Calendar",
            trigger: ".o_vbw_google[href*='calendar.google.com']",
        },
        {
            content: "Add to Outlook",
            trigger: ".o_vbw_outlook[href*='outlook.live.com']",
        },
        {
            content: "Download the ICS file",
            trigger: ".o_vbw_ics[href*='/ics?token=']",
        },
        {
            // the first free time is inside the online-change deadline: the page says so and links the manage
            // page without offering to reschedule or cancel (issue 16, honest deadlines)
            content: "The manage page is linked",
            trigger: ".o_vbw_confirmed a[href*='/book-consultation/manage/'][href*='token=']",
        },
    ];
}

registry.category("web_tour.tours").add("voltaic_booking_page_desktop", {
    url: "/book-consultation",
    steps: () => [
        {
            content: "The consultant's card shows the next free time",
            trigger: `.o_vbw_card_col[data-name='${CONSULTANT}'] .o_vbw_next_time:not(:empty)`,
        },
        {
            content: "A consultant who is not accepting bookings says so",
            trigger: `.o_vbw_card_col[data-name='${OTHER}'] .o_vbw_not_accepting`,
        },
        {
            content: "Filter by expertise",
            trigger: "#vbw_filter_expertise",
            run: "selectByLabel Tour Expertise",
        },
        {
            content: "Only matching consultants remain",
            trigger: `.o_vbw_card_col.d-none[data-name='${OTHER}']:not(:visible)`,
        },
        {
            trigger: `.o_vbw_card_col:not(.d-none)[data-name='${CONSULTANT}']`,
        },
        {
            content: "Clear the filter",
            trigger: "#vbw_filter_expertise",
            run: "selectByLabel All",
        },
        {
            trigger: `.o_vbw_card_col:not(.d-none)[data-name='${OTHER}']`,
        },
        {
            content: "Book with the consultant",
            trigger: `.o_vbw_card_col[data-name='${CONSULTANT}'] .o_vbw_book`,
            run: "click",
        },
        step2Visible(),
        {
            content: "English (US) weeks start on Sunday",
            trigger: ".o_vbw_weekdays .o_vbw_weekday:first-child abbr[title='Sunday']",
        },
        {
            content: "Only the consultant's durations are offered",
            trigger: ".o_vbw_option[data-duration='90'].d-none:not(:visible)",
        },
        ...pickFirstSlot(),
        {
            content: "Submitting an empty form shows inline errors",
            trigger: ".o_vbw_submit",
            run: "click",
        },
        {
            trigger: "#vbw_first_name.is-invalid[aria-invalid='true']",
        },
        {
            trigger: "#vbw_error_email:not(:empty)",
        },
        {
            content: "Type a first name",
            trigger: "#vbw_first_name",
            run: "edit Ada",
        },
        {
            content: "Go back to step 2",
            trigger: ".o_vbw_panel[data-panel='3'] button.o_vbw_go[data-go='2']",
            run: "click",
        },
        {
            content: "The chosen slot is still selected",
            trigger: ".o_vbw_panel[data-panel='2']:not(.d-none) .o_vbw_slot[aria-pressed='true']",
        },
        {
            content: "Continue again",
            trigger: ".o_vbw_to_details:enabled",
            run: "click",
        },
        {
            content: "What was typed is kept",
            trigger: ".o_vbw_panel[data-panel='3']:not(.d-none) #vbw_first_name:value('Ada')",
        },
        ...fillDetails({ first: "Ada", last: "Desktop", email: "ada.desktop@example.com" }),
        ...submitAndConfirm(),
    ],
});

registry.category("web_tour.tours").add("voltaic_booking_page_mobile", {
    // started on the consultant's profile page: step 2 right away
    steps: () => [
        {
            content: "The profile shows the consultant",
            trigger: `.o_vbw_profile h1:contains('${CONSULTANT}')`,
        },
        step2Visible(),
        ...pickFirstSlot(),
        ...fillDetails({ first: "Mo", last: "Bile", email: "mo.bile@example.com" }),
        ...submitAndConfirm(),
    ],
});

registry.category("web_tour.tours").add("voltaic_booking_page_slot_taken", {
    steps: () => [
        step2Visible(),
        ...pickFirstSlot(),
        ...fillDetails({ first: "Grace", last: "Conflict", email: "grace.conflict@example.com" }),
        {
            content: "Meanwhile someone else books this very time through the public API",
            trigger: ".o_vbw_submit",
            run: async () => {
                const form = document.querySelector(".o_vbw_form");
                const value = (name) => form.querySelector(`input[type='hidden'][name='${name}']`).value;
                const response = await fetch("/api/consultations", {
                    method: "POST",
                    headers: { "Content-Type": "application/json" },
                    body: JSON.stringify({
                        consultant: Number(value("consultant")),
                        start: value("start"),
                        duration: Number(value("duration")),
                        meeting_type: value("meeting_type"),
                        tz: "UTC",
                        first_name: "Quick",
                        last_name: "Rival",
                        email: "quick.rival@example.com",
                        terms_accepted: true,
                        privacy_accepted: true,
                    }),
                });
                if (response.status !== 201) {
                    throw new Error(`The rival booking failed: ${response.status}`);
                }
            },
        },
        {
            content: "Confirm: the time is gone",
            trigger: ".o_vbw_submit",
            run: "click",
        },
        {
            content: "The page says so and offers alternatives",
            trigger: ".o_vbw_conflict:not(.d-none) .o_vbw_alternatives .o_vbw_alternative",
        },
        {
            content: "The form is kept",
            trigger: "#vbw_email:value('grace.conflict@example.com')",
        },
        {
            trigger: "#vbw_consent:checked",
        },
        {
            content: "Take the first alternative",
            trigger: ".o_vbw_alternative",
            run: "click",
        },
        {
            content: "The summary follows the new time",
            trigger: ".o_vbw_summary.o_vbw_summary_updated",
        },
        {
            content: "The warning is gone",
            trigger: ".o_vbw_conflict.d-none:not(:visible)",
        },
        ...submitAndConfirm(),
    ],
});

registry.category("web_tour.tours").add("voltaic_booking_page_german", {
    url: "/de/book-consultation",
    steps: () => [
        {
            content: "The page is German",
            trigger: "html[lang='de-DE'] .o_vbw_wizard",
        },
        {
            content: "Book with the consultant",
            trigger: `.o_vbw_card_col[data-name='${CONSULTANT}'] .o_vbw_book`,
            run: "click",
        },
        step2Visible(),
        {
            content: "German weeks start on Monday",
            trigger: ".o_vbw_weekdays .o_vbw_weekday:first-child abbr[title='Montag']",
        },
        {
            content: "The page's script speaks German too (the module's translations reach the website)",
            trigger: ".o_vbw_consultant_tz:contains('Zeitzone von')",
        },
        {
            content: "Times use the 24-hour clock",
            trigger: ".o_vbw_slots .o_vbw_slot[data-start] .o_vbw_slot_time",
            run() {
                for (const el of document.querySelectorAll(".o_vbw_slots .o_vbw_slot_time")) {
                    if (!/^\d{1,2}:\d{2}$/.test(el.textContent.trim())) {
                        throw new Error(`Not a 24-hour time: ${el.textContent}`);
                    }
                }
            },
        },
        ...pickFirstSlot(),
        {
            content: "The summary of the chosen time is German",
            trigger: ".o_vbw_summary_meta:contains('Minuten')",
        },
        ...fillDetails({ first: "Greta", last: "Deutsch", email: "greta.deutsch@example.com" }),
        {
            content: "The communication language defaults to German",
            trigger: "#vbw_language:value('de')",
        },
        ...submitAndConfirm(),
        {
            content: "The confirmation stays on the German site",
            trigger: "html[lang='de-DE'] .o_vbw_confirmed",
            run() {
                if (!window.location.pathname.startsWith("/de/book-consultation/confirmed/")) {
                    throw new Error(`Unexpected URL: ${window.location.pathname}`);
                }
            },
        },
    ],
});
