import { registry } from "@web/core/registry";

import {
    acceptTerms,
    confirmedReference,
    openAddDetails,
    pickFirstSlot,
    submitBooking,
} from "@voltaic_booking/../tests/tours/booking_steps";

/**
 * Booking links (issue 14), started by tests/test_booking_link.py: a salesperson sends a
 * personal booking link from an opportunity; the client books through it on the website.
 */
registry.category("web_tour.tours").add("voltaic_backend_send_booking_link", {
    steps: () => [
        {
            content: "Open “Send Booking Link” on the opportunity",
            trigger: ".o_form_view button[name='action_send_booking_link']",
            run: "click",
        },
        {
            content: "The link goes to the opportunity's e-mail address",
            trigger: ".modal div[name='email']:contains('link.client@example.com')",
        },
        {
            content: "The consultant is the opportunity's salesperson",
            trigger: ".modal div[name='consultant_id'] input:value('Tess Tourner')",
        },
        {
            content: "Only 30-minute meetings",
            trigger: ".modal div[name='durations'] input",
            run: "edit 30",
        },
        {
            content: "Send it",
            trigger: ".modal button[name='action_send']",
            run: "click",
        },
        {
            content: "The salesperson is told",
            trigger: ".o_notification:contains('Booking link sent to link.client@example.com')",
        },
    ],
});

registry.category("web_tour.tours").add("voltaic_booking_link_client", {
    steps: () => [
        {
            content: "The personal page greets the client",
            trigger: ".o_vbw_booking_link h1:contains('Book your consultation')",
        },
        {
            content: "The consultant the salesperson chose",
            trigger: ".o_vbw_link_with .o_vbw_link_consultant_name:contains('Tess Tourner')",
        },
        {
            content: "Step 2 right away, with no way to other consultants",
            trigger: ".o_vbw_panel[data-panel='2']:not(.d-none):not(:has(a[href$='/book-consultation']:visible))",
        },
        {
            content: "Only the allowed duration is offered",
            trigger: ".o_vbw_durations:not(:has(input[value='60']))",
        },
        ...pickFirstSlot(),
        {
            content: "The client's details are filled in from the opportunity",
            trigger: ".o_vbw_panel[data-panel='3']:not(.d-none) #vbw_email:value('link.client@example.com')",
        },
        {
            trigger: "#vbw_first_name:value('Lina')",
        },
        openAddDetails(),
        {
            trigger: "#vbw_company:value('Link Solar AG')",
        },
        { content: "Subject", trigger: "#vbw_subject", run: "edit Battery storage" },
        acceptTerms(),
        submitBooking(),
        confirmedReference(),
    ],
});

registry.category("web_tour.tours").add("voltaic_booking_link_client_chooses", {
    steps: () => [
        {
            content: "The client chooses the consultant on the personal page",
            trigger: ".o_vbw_booking_link .o_vbw_card_col[data-name='Tess Tourner'] .o_vbw_book",
            run: "click",
        },
        {
            content: "Only the allowed duration is offered",
            trigger: ".o_vbw_panel[data-panel='2']:not(.d-none) .o_vbw_durations:not(:has(input[value='30']:visible))",
        },
        ...pickFirstSlot(),
        {
            content: "The client's details are filled in from the opportunity",
            trigger: ".o_vbw_panel[data-panel='3']:not(.d-none) #vbw_email:value('link.client@example.com')",
        },
        acceptTerms(),
        submitBooking(),
        {
            content: "The confirmation names the consultant",
            trigger: ".o_vbw_confirmed .o_vbw_confirmed_consultant:contains('Tess Tourner')",
        },
    ],
});
