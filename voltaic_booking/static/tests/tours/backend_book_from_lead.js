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
            content: "A compact month marks the days with free times",
            trigger: ".modal .o_vb_slot_picker .o_vb_month .o_vb_month_title:not(:empty)",
        },
        {
            content: "The first free day is open, its times beside the month",
            trigger: ".modal .o_vb_slot_picker .o_vb_day.o_vb_day_free.o_vb_day_active",
        },
        {
            content: "Next month",
            trigger: ".modal .o_vb_slot_picker .o_vb_month_next",
            run: "click",
        },
        {
            content: "Back to this month",
            trigger: ".modal .o_vb_slot_picker .o_vb_month_prev:enabled",
            run: "click",
        },
        {
            content: "This month again: no going further back",
            trigger: ".modal .o_vb_slot_picker .o_vb_month_prev:disabled",
        },
        {
            content: "Open the last free day of the month",
            trigger: ".modal .o_vb_slot_picker .o_vb_day.o_vb_day_free:last",
            run: "click",
        },
        {
            trigger: ".modal .o_vb_slot_picker .o_vb_day.o_vb_day_free:last.o_vb_day_active",
        },
        {
            content: "Pick its first time",
            trigger: ".modal .o_vb_slot_picker button.o_vb_slot",
            run: "click",
        },
        {
            content: "The chosen time is clearly selected and named",
            trigger: ".modal .o_vb_slot_picker button.o_vb_slot.active[aria-pressed='true'] .fa-check",
        },
        {
            trigger: ".modal .o_vb_slot_picker .o_vb_slot_selected strong:not(:empty)",
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
            content: "The consultation is in the calendar, titled client — consultant",
            trigger: ".o_calendar_view .fc-event:contains('Priya Tour — Tour Consultant')",
            run: "click",
        },
        {
            content: "Its popover gives the reference",
            trigger: ".o_cw_popover:contains('VLT-')",
        },
    ],
});
