import { registry } from "@web/core/registry";
import { pickFreeDay } from "@voltaic_booking/../tests/tours/booking_steps";

/**
 * Tours of the client's manage page (/book-consultation/manage/<reference>),
 * started by tests/test_self_service.py, which checks the booking, its lead,
 * its event and the e-mails afterwards.
 */

registry.category("web_tour.tours").add("voltaic_booking_manage_reschedule", {
    steps: () => [
        {
            content: "The booking is shown as confirmed",
            trigger: ".o_vb_manage .badge:contains('Confirmed')",
        },
        {
            content: "Open the reschedule section",
            trigger: ".o_vb_open_reschedule",
            run: "click",
        },
        // the third day with free times: its first time is always more than a day away, so the moved
        // booking is still outside the 12-hour edit deadline and can be cancelled next
        pickFreeDay("#o_vb_reschedule.show", 2,
            "Days with free times come from the live availability (the booking page's month picker)"),
        {
            content: "Choose the first free time of that day",
            trigger: "#o_vb_reschedule .o_vbw_slots[aria-busy='false'] .o_vbw_slot[data-start]:first",
            run: "click",
        },
        {
            content: "The new time is shown before confirming",
            trigger: "#o_vb_reschedule .o_vb_slot_chosen:not(.d-none)",
        },
        {
            content: "Move the consultation",
            trigger: "#o_vb_reschedule .o_vb_slot_submit:enabled",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page confirms the move",
            trigger: ".o_vb_notice_rescheduled",
        },
    ],
});

registry.category("web_tour.tours").add("voltaic_booking_manage_cancel", {
    steps: () => [
        {
            content: "Open the cancel section",
            trigger: ".o_vb_open_cancel",
            run: "click",
        },
        {
            content: "Give a reason",
            trigger: "#o_vb_cancel.show #o_vb_cancel_reason",
            run: "edit Our budget moved to next year",
        },
        {
            content: "Cancel the consultation",
            trigger: "#o_vb_cancel .o_vb_cancel_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page confirms the cancellation and offers a new booking",
            trigger: ".o_vb_notice_cancelled",
        },
        {
            content: "No more buttons to change it",
            trigger: ".o_vb_manage:not(:has(.o_vb_open_reschedule)):not(:has(.o_vb_open_cancel))",
        },
    ],
});
