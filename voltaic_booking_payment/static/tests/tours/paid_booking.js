import { registry } from "@web/core/registry";

/**
 * A paid consultation on the website, paid with Odoo's demo payment provider (payment_demo).
 * Started by tests/test_payments.py, which gives the consultant a price and checks the
 * booking, its transaction and its lead afterwards.
 */
registry.category("web_tour.tours").add("voltaic_booking_paid", {
    steps: () => [
        {
            content: "The slots of the first free day are listed",
            trigger: ".o_vbw_panel[data-panel='2']:not(.d-none) .o_vbw_slots[aria-busy='false'] .o_vbw_slot[data-start]",
            run: "click",
        },
        {
            content: "Continue to the details",
            trigger: ".o_vbw_to_details:enabled",
            run: "click",
        },
        { content: "First name", trigger: "#vbw_first_name", run: "edit Paula" },
        { content: "Last name", trigger: "#vbw_last_name", run: "edit Payer" },
        { content: "Email", trigger: "#vbw_email", run: "edit paula.payer@example.com" },
        { content: "Accept the terms and the privacy policy (one line)", trigger: "#vbw_consent", run: "check" },
        {
            content: "Book: a paid consultation goes to the payment",
            trigger: ".o_vbw_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The payment page shows the price and that the time is held",
            trigger: ".o_vb_pay .o_vb_pay_amount:contains('150')",
        },
        {
            trigger: ".o_vb_pay .o_vb_pay_hold",
        },
        {
            content: "Enter the demo card",
            trigger: "input[name='customer_input']",
            run: "edit 4242424242424242",
        },
        {
            content: "Pay",
            trigger: "button[name='o_payment_submit_button']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Once paid, the confirmation page shows the reference",
            trigger: ".o_vbw_confirmed .o_vbw_reference:contains('VLT-')",
        },
    ],
});
