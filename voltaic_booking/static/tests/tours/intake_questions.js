import { registry } from "@web/core/registry";

/**
 * The intake questions on step 3 of the booking page, started by
 * tests/test_intake_questions.py: Tess has questions of her own (a required
 * single choice, a multiple choice, a number and a long text), which replace
 * the global default set; a missing required answer is refused inline, then
 * the answers are posted with the form and reach the booking and its lead.
 */

const CONSULTANT = "Tess Tourner";
const OWN = ".o_vbw_questions[data-consultant]:not(.d-none)";

registry.category("web_tour.tours").add("voltaic_booking_intake_questions", {
    steps: () => [
        {
            content: "Step 2 (date and time) is shown",
            trigger: ".o_vbw_panel[data-panel='2']:not(.d-none) .o_vbw_month_title:not(:empty)",
        },
        {
            content: "Pick the first free time",
            trigger: ".o_vbw_panel[data-panel='2']:not(.d-none) .o_vbw_slots[aria-busy='false'] .o_vbw_slot[data-start]",
            run: "click",
        },
        {
            content: "Continue to the details",
            trigger: ".o_vbw_to_details:enabled",
            run: "click",
        },
        {
            content: "Step 3 is shown for the consultant",
            trigger: `.o_vbw_panel[data-panel='3']:not(.d-none) .o_vbw_summary_consultant:contains('${CONSULTANT}')`,
        },
        {
            content: "The consultant's own questions are shown, with the required mark and the help text",
            trigger: `${OWN} label:contains('Project stage') .text-danger`,
        },
        {
            trigger: `${OWN} .form-text:contains('Pick the closest one.')`,
        },
        {
            content: "The global default questions are not asked for this consultant",
            trigger: ".o_vbw_questions[data-default].d-none:not(:visible)",
        },
        { content: "First name", trigger: "#vbw_first_name", run: "edit Quinn" },
        { content: "Last name", trigger: "#vbw_last_name", run: "edit Questions" },
        { content: "Email", trigger: "#vbw_email", run: "edit quinn.questions@example.com" },
        { content: "Accept the terms and the privacy policy (one line)", trigger: "#vbw_consent", run: "check" },
        {
            content: "Submit without answering the required question",
            trigger: ".o_vbw_submit",
            run: "click",
        },
        {
            content: "The required question is refused inline",
            trigger: `${OWN} select[data-answer-type='select'].is-invalid[aria-invalid='true']`,
        },
        {
            trigger: `${OWN} .invalid-feedback.d-block:contains('Please answer this question.')`,
        },
        {
            content: "Answer it",
            trigger: `${OWN} select[data-answer-type='select']`,
            run: "selectByLabel Feasibility study",
        },
        {
            content: "The error is gone",
            trigger: `${OWN} select[data-answer-type='select']:not(.is-invalid)`,
        },
        {
            content: "Tick two interests",
            trigger: `${OWN} .form-check-label:contains('Solar')`,
            run: "click",
        },
        {
            trigger: `${OWN} .form-check-label:contains('Storage')`,
            run: "click",
        },
        {
            content: "Project size",
            trigger: `${OWN} input[data-answer-type='number']`,
            run: "edit 750",
        },
        {
            content: "Anything to prepare",
            trigger: `${OWN} textarea[data-answer-type='text']`,
            run: "edit Our site plans.",
        },
        {
            content: "Confirm the booking",
            trigger: ".o_vbw_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Step 4: the confirmation shows the reference",
            trigger: ".o_vbw_confirmed .o_vbw_reference:contains('VLT-')",
        },
    ],
});
