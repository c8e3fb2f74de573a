import { registry } from "@web/core/registry";

import {
    acceptTerms,
    confirmedReference,
    fillName,
    pickFirstSlot,
    submitBooking,
} from "@voltaic_booking/../tests/tours/booking_steps";

/**
 * A paid consultation on the website, paid with Odoo's demo payment provider (payment_demo).
 * Started by tests/test_payments.py, which gives the consultant a price and checks the
 * booking, its transaction and its lead afterwards.
 */
registry.category("web_tour.tours").add("voltaic_booking_paid", {
    steps: () => [
        ...pickFirstSlot(),
        ...fillName({ first: "Paula", last: "Payer", email: "paula.payer@example.com" }),
        acceptTerms(),
        submitBooking("Book: a paid consultation goes to the payment"),
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
        confirmedReference("Once paid, the confirmation page shows the reference"),
    ],
});
