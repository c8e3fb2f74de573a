import { registry } from "@web/core/registry";

/**
 * From an opportunity: book a consultation with the wizard, then find it
 * on the opportunity (smart button) and in the consultations calendar.
 * Started by tests/test_back_office.py on the lead's form.
 */
registry.category("web_tour.tours").add("voltaic_backend_book_from_lead", {
    steps: () => [
        {
            content: "Open the booking wizard from the opportunity",
            trigger: ".o_form_view button[name='action_book_consultation']",
            run: "click",
        },
        {
            content: "The consultant is the opportunity's salesperson",
            trigger: ".modal div[name='consultant_id'] input:value('Tour Consultant')",
        },
        {
            content: "The slots are shown in the contact's time zone",
            trigger: ".modal div[name='client_tz'] input:value('Asia/Kolkata')",
        },
        {
            content: "Pick the first free slot",
            trigger: ".modal .o_vb_slot_picker button.o_vb_slot",
            run: "click",
        },
        {
            trigger: ".modal .o_vb_slot_picker button.o_vb_slot.active",
        },
        {
            content: "Book it",
            trigger: ".modal button[name='action_book']",
            run: "click",
        },
        {
            content: "The opportunity counts its consultation",
            trigger: ".o_form_view:not(:has(.modal)) button[name='action_view_voltaic_bookings'] .o_stat_value:contains('1')",
            run: "click",
        },
        {
            content: "The booking is listed",
            trigger: ".o_list_view .o_data_row td[name='client_name']:contains('Priya Tour')",
        },
        {
            content: "Switch to the calendar",
            trigger: ".o_switch_view.o_calendar",
            run: "click",
        },
        {
            content: "The consultation is in the calendar",
            trigger: ".o_calendar_view .fc-event:contains('VLT-')",
        },
    ],
});
