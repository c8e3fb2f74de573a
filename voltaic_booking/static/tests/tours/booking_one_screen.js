import { registry } from "@web/core/registry";
import { pickFreeDay, waitFor } from "@voltaic_booking/../tests/tours/booking_steps";

/**
 * The whole client journey of issue 16, one tour per language, run by
 * tests/test_booking_form.py on a desktop and a 390 px phone: the one-screen
 * picker (every slot in the page flow, arrow keys, 12/24-hour clock, zone
 * search, sticky "Continue" on phones), the short form with "Add details" and
 * the e-mail rule, honest deadlines on both sides, the confirmation, the manage
 * page opened at #reschedule with the same picker (old time struck through),
 * #cancel, and "Book again".
 */

const TEXTS = {
    en: {
        passed: "This time can no longer be changed online",
        freeUntil: "Free changes until",
        consultantTz: "time zone",
    },
    de: {
        passed: "Dieser Termin kann online nicht mehr geändert werden",
        freeUntil: "Kostenlos änderbar bis",
        consultantTz: "Zeitzone von",
    },
};

// the same examples as voltaic_booking/lib/tests/test_client_form.py
const VALID_EMAILS = ["jane.doe@example.com", "j@example.de", "jane+news@mail.example.co.uk", "o'brien@example.ie"];
const INVALID_EMAILS = [
    "jane..doe@example.com",
    ".jane@example.com",
    "jane.@example.com",
    "jane@example",
    "jane@-example.com",
    "jane@example..com",
    "jane doe@example.com",
    "jane@@example.com",
    "jane@example.c",
];

const PANEL2 = ".o_vbw_panel[data-panel='2']:not(.d-none)";
const PANEL3 = ".o_vbw_panel[data-panel='3']:not(.d-none)";

function fail(message) {
    throw new Error(message);
}

/** Every slot of the day is in the page flow: rendered, not clipped by a scroll box of its own. */
function assertEverySlotInPageFlow() {
    const list = document.querySelector(`${PANEL2} .o_vbw_slots`);
    const slots = [...list.querySelectorAll(".o_vbw_slot[data-start]")];
    if (slots.length < 20) {
        fail(`A busy day was expected, got ${slots.length} slots`);
    }
    for (let el = list; el && el !== document.body; el = el.parentElement) {
        const style = getComputedStyle(el);
        if (["auto", "scroll", "hidden"].includes(style.overflowY) && el.scrollHeight > el.clientHeight + 1) {
            fail(`The slots are clipped by a scrolling box: ${el.className}`);
        }
    }
    const listBox = list.getBoundingClientRect();
    for (const slot of slots) {
        const box = slot.getBoundingClientRect();
        if (!slot.checkVisibility() || box.height < 44 || box.bottom > listBox.bottom + 1) {
            fail(`Slot ${slot.textContent} is not fully shown (height ${box.height})`);
        }
    }
}

/** A day at least three days after the first free one: its times are beyond the online-change deadline. */
function pickLaterDay(scope) {
    return pickFreeDay(scope, 3, "Choose a day at least three days later");
}

function oneScreenSteps(lang) {
    const texts = TEXTS[lang];
    return [
        {
            content: "Step 2 shows the month and the day's slots",
            trigger: `${PANEL2} .o_vbw_slots[aria-busy='false'] .o_vbw_slot[data-start]`,
        },
        {
            content: "The consultant's zone is named with city and offset",
            trigger: `${PANEL2} .o_vbw_consultant_tz:contains('${texts.consultantTz}'):contains('(UTC')`,
        },
        // Tess works around the clock, so every day after the first free one is a whole day of slots; the
        // first free one is only what is left of today once the page is opened after about 11:00 UTC.
        pickFreeDay(PANEL2, 1, "Open a whole day: the second free one"),
        {
            content: "Every slot of the busy day is in the page flow, at least 44 px high",
            trigger: `${PANEL2} .o_vbw_slot[data-start]`,
            run: assertEverySlotInPageFlow,
        },
        {
            content: "The duration and meeting-type pills are tap-sized",
            trigger: `${PANEL2} .o_vbw_option:not(.d-none) label.btn`,
            run() {
                for (const el of document.querySelectorAll(`${PANEL2} .o_vbw_option:not(.d-none) label.btn`)) {
                    if (el.getBoundingClientRect().height < 44) {
                        fail(`Too small to tap: ${el.textContent.trim()}`);
                    }
                }
            },
        },
        {
            content: "The slots are one tab stop; arrow keys move between them",
            trigger: `${PANEL2} .o_vbw_slot[data-start]`,
            run() {
                const slots = [...document.querySelectorAll(`${PANEL2} .o_vbw_slot[data-start]`)];
                const stops = slots.filter((slot) => slot.tabIndex === 0);
                if (stops.length !== 1 || stops[0] !== slots[0]) {
                    fail(`Expected one tab stop on the first slot, got ${stops.length}`);
                }
                slots[0].focus();
                slots[0].dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
                if (document.activeElement !== slots[1] || slots[1].tabIndex !== 0 || slots[0].tabIndex !== -1) {
                    fail("ArrowRight did not move to the next slot");
                }
                slots[1].dispatchEvent(new KeyboardEvent("keydown", { key: "End", bubbles: true }));
                if (document.activeElement !== slots.at(-1)) {
                    fail("End did not move to the last slot");
                }
                slots.at(-1).dispatchEvent(new KeyboardEvent("keydown", { key: "Home", bubbles: true }));
                if (document.activeElement !== slots[0]) {
                    fail("Home did not move to the first slot");
                }
            },
        },
        {
            content: "Switch to the 12-hour clock",
            trigger: `${PANEL2} label[for='vbw_hour_cycle_12']`,
            run: "click",
        },
        {
            content: "Times read 9:30 AM",
            trigger: `${PANEL2} .o_vbw_slot[data-start] .o_vbw_slot_time:contains('M')`,
        },
        {
            content: "Switch to the 24-hour clock",
            trigger: `${PANEL2} label[for='vbw_hour_cycle_24']`,
            run: "click",
        },
        {
            content: "Times read 09:30, and the choice is remembered in the browser",
            trigger: `${PANEL2} .o_vbw_slot[data-start] .o_vbw_slot_time`,
            run() {
                for (const el of document.querySelectorAll(`${PANEL2} .o_vbw_slot_time`)) {
                    if (!/^\d{2}:\d{2}$/.test(el.textContent.trim())) {
                        fail(`Not a 24-hour time: ${el.textContent}`);
                    }
                }
                if (window.localStorage.getItem("voltaic_booking.hour_cycle") !== "24") {
                    fail("The clock choice is not remembered");
                }
            },
        },
        {
            content: "Search the zone list for Auckland and take it",
            trigger: `${PANEL2} .o_vbw_tz_search`,
            async run() {
                const input = document.querySelector(`${PANEL2} .o_vbw_tz_search`);
                input.value = "Auckland";
                input.dispatchEvent(new Event("input", { bubbles: true }));
                input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
                await waitFor(() => document.querySelector(`${PANEL2} .o_vbw_tz`).value === "Pacific/Auckland",
                    "the zone to change");
            },
        },
        {
            content: "The list is grouped by region",
            trigger: `${PANEL2} .o_vbw_tz`,
            run() {
                if (!document.querySelector(`${PANEL2} .o_vbw_tz optgroup[label='Pacific'] option[value='Pacific/Auckland']`)) {
                    fail("Auckland is not listed under Pacific");
                }
            },
        },
        {
            content: "Under each time, the consultant's time with its date when their day differs",
            trigger: `${PANEL2} .o_vbw_slots[aria-busy='false'] .o_vbw_slot[data-start] .o_vbw_slot_other`,
            async run() {
                // Auckland's morning is Berlin's previous evening: look at a whole day (the first may be short)
                const dated = () =>
                    [...document.querySelectorAll(`${PANEL2} .o_vbw_slot_other`)].some((el) => el.textContent.includes(","));
                const days = [...document.querySelectorAll(`${PANEL2} .o_vbw_day_free:not([disabled])`)];
                if (!(await waitFor(dated, "dated consultant times").catch(() => false))) {
                    days[1].click();
                    await waitFor(dated, "dated consultant times on the next day");
                }
            },
        },
        {
            content: "Back to the first free day",
            trigger: `${PANEL2} .o_vbw_day_free:not([disabled])`,
            run: "click",
        },
        {
            content: "Choose the first time: it is within the online-change deadline",
            trigger: `${PANEL2} .o_vbw_slot[data-start]`,
            run: "click",
        },
        {
            content: "The Continue bar shows the chosen time",
            trigger: `${PANEL2} .o_vbw_continue_bar .o_vbw_continue_when:not(:empty)`,
            run() {
                const bar = document.querySelector(`${PANEL2} .o_vbw_continue_bar`);
                const phone = window.innerWidth < 992;
                const position = getComputedStyle(bar).position;
                if (phone !== (position === "sticky")) {
                    fail(`Continue bar position ${position} on a ${window.innerWidth}px screen`);
                }
            },
        },
        {
            content: "Continue",
            trigger: ".o_vbw_to_details:enabled",
            run: "click",
        },
        {
            content: "Step 3 says honestly that this time cannot be changed online",
            trigger: `${PANEL3} .o_vbw_deadline.o_vbw_deadline_passed:contains('${texts.passed}')`,
        },
        {
            content: "Back to the picker",
            trigger: `${PANEL3} .o_vbw_change_time`,
            run: "click",
        },
        pickLaterDay(PANEL2),
        {
            content: "Choose its first time",
            trigger: `${PANEL2} .o_vbw_slots[aria-busy='false'] .o_vbw_slot[data-start]:not([aria-pressed='true'])`,
            run: "click",
        },
        {
            trigger: ".o_vbw_to_details:enabled",
            run: "click",
        },
        {
            content: "Step 3 says until when changes are free",
            trigger: `${PANEL3} .o_vbw_deadline:not(.o_vbw_deadline_passed):contains('${texts.freeUntil}')`,
        },
        {
            content: "The page's e-mail rule is the server's",
            trigger: `${PANEL3} #vbw_email`,
            run() {
                const { isValidEmail } = odoo.loader.modules.get("@voltaic_booking/interactions/booking_form_rules");
                for (const email of VALID_EMAILS) {
                    if (!isValidEmail(email)) {
                        fail(`Refused a valid address: ${email}`);
                    }
                }
                for (const email of INVALID_EMAILS) {
                    if (isValidEmail(email)) {
                        fail(`Accepted an invalid address: ${email}`);
                    }
                }
            },
        },
        {
            content: "Only name and e-mail are asked; the rest waits behind Add details",
            trigger: `${PANEL3} .o_vbw_more_details:not([open])`,
            run() {
                if (document.querySelector("#vbw_phone").checkVisibility()) {
                    fail("The phone field should be behind Add details");
                }
            },
        },
        { content: "First name", trigger: `${PANEL3} #vbw_first_name`, run: "edit Jane" },
        { content: "Last name", trigger: `${PANEL3} #vbw_last_name`, run: "edit Doe" },
        { content: "A mistyped e-mail", trigger: `${PANEL3} #vbw_email`, run: "edit jane..doe@example.com" },
        { content: "One consent line", trigger: `${PANEL3} #vbw_consent`, run: "check" },
        {
            content: "The consent line links the terms and the privacy policy",
            trigger: `${PANEL3} label[for='vbw_consent'] a[href*='terms'] ~ a[href*='privacy']`,
        },
        {
            content: "The submit button's label is on one line (in German too, on a phone)",
            trigger: `${PANEL3} .o_vbw_submit`,
            run() {
                const button = document.querySelector(`${PANEL3} .o_vbw_submit`);
                const range = document.createRange();
                range.selectNodeContents(button);
                const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
                if (lines.size !== 1) {
                    fail(`"${button.textContent.trim()}" wraps onto ${lines.size} lines`);
                }
            },
        },
        { content: "Confirm", trigger: `${PANEL3} .o_vbw_submit`, run: "click" },
        {
            content: "The page refuses jane..doe@example.com",
            trigger: `${PANEL3} #vbw_email.is-invalid`,
        },
        { content: "Correct it", trigger: `${PANEL3} #vbw_email`, run: "edit jane.doe.issue16@example.com" },
        {
            content: "Open Add details",
            trigger: `${PANEL3} .o_vbw_more_details_toggle`,
            run: "click",
        },
        { content: "Phone", trigger: `${PANEL3} #vbw_phone`, run: "edit +49 30 1234567" },
        { content: "Subject", trigger: `${PANEL3} #vbw_subject`, run: "edit Heat pump" },
        {
            content: "Back to the 12-hour habit of the locale (the next tours start clean)",
            trigger: `${PANEL3} .o_vbw_submit`,
            run() {
                window.localStorage.removeItem("voltaic_booking.hour_cycle");
            },
        },
        {
            content: "Confirm the booking",
            trigger: `${PANEL3} .o_vbw_submit`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The confirmation says until when changes are free",
            trigger: `.o_vbw_confirmed .o_vbw_deadline:not(.o_vbw_deadline_passed):contains('${texts.freeUntil}')`,
        },
        {
            content: "The video link is shown",
            trigger: ".o_vbw_confirmed .o_vbw_location",
        },
        {
            content: "Reschedule: the manage page opens at its reschedule section",
            trigger: ".o_vbw_confirmed a.o_vbw_reschedule[href*='#reschedule']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The reschedule section is open, with the booking page's picker",
            trigger: "#o_vb_reschedule.show .o_vbw_picker .o_vbw_slots[aria-busy='false'] .o_vbw_slot[data-start]",
        },
        {
            content: "The manage page's slots are the same tap-sized buttons",
            trigger: "#o_vb_reschedule.show .o_vbw_slot[data-start]",
            run() {
                if (document.querySelector("#o_vb_reschedule .o_vbw_slot[data-start]").getBoundingClientRect().height < 44) {
                    fail("Manage-page slots are too small");
                }
            },
        },
        pickLaterDay("#o_vb_reschedule"),
        {
            content: "Choose the last time of that day",
            trigger: "#o_vb_reschedule .o_vbw_slots[aria-busy='false'] .o_vbw_slot[data-start]:last",
            run: "click",
        },
        {
            content: "The old time is struck through next to the new one",
            trigger: "#o_vb_reschedule .o_vb_slot_chosen:not(.d-none):has(del.o_vb_slot_old) .o_vb_slot_new:not(:empty)",
        },
        {
            content: "Move the consultation",
            trigger: "#o_vb_reschedule .o_vb_slot_submit:enabled",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Moved",
            trigger: ".o_vb_notice_rescheduled",
        },
        {
            content: "A #cancel link opens the cancel section",
            trigger: ".o_vb_open_cancel.collapsed",
            run() {
                window.location.hash = "cancel";
            },
        },
        {
            content: "Cancel my consultation",
            trigger: "#o_vb_cancel.show .o_vb_cancel_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Cancelled, with Book again",
            trigger: ".o_vb_notice_cancelled ~ p .o_vbw_book_again",
        },
        {
            content: "Open the confirmation page of the cancelled booking",
            trigger: ".o_vb_reference",
            run() {
                const url = new URL(window.location.href);
                url.pathname = url.pathname.replace("/manage/", "/confirmed/");
                url.searchParams.delete("notice");
                url.hash = "";
                window.location.assign(url);
            },
            expectUnloadPage: true,
        },
        {
            content: "It offers Book again, without the video link nor the next steps",
            trigger: ".o_vbw_confirmed .o_vbw_book_again",
            run() {
                for (const selector of [".o_vbw_location", ".o_vbw_next_steps", ".o_vbw_manage_links"]) {
                    if (document.querySelector(selector)) {
                        fail(`A cancelled booking still shows ${selector}`);
                    }
                }
            },
        },
    ];
}

for (const lang of ["en", "de"]) {
    registry.category("web_tour.tours").add(`voltaic_booking_one_screen_${lang}`, {
        steps: () => oneScreenSteps(lang),
    });
}
