import { registry } from "@web/core/registry";

import {
    acceptTerms,
    confirmedReference,
    fillName,
    pickFirstSlot,
    submitBooking,
} from "@voltaic_booking/../tests/tours/booking_steps";

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
        ...pickFirstSlot("Pick the first free time"),
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
        ...fillName({ first: "Quinn", last: "Questions", email: "quinn.questions@example.com" }),
        acceptTerms(),
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
        submitBooking(),
        confirmedReference("Step 4: the confirmation shows the reference"),
    ],
});

/**
 * A team's own questions (tests/test_team_questions.py): the client books the
 * "First available" card of a team with a required question of its own; the
 * team's set is shown (not the default one, nor the questions of the member who
 * will get the booking), a missing answer is refused inline, then the answers
 * reach the booking and its lead.
 */
const TEAM = "Tour Team";
const TEAM_SET = ".o_vbw_questions[data-team]:not(.d-none)";

registry.category("web_tour.tours").add("voltaic_booking_team_intake_questions", {
    url: "/book-consultation",
    steps: () => [
        {
            content: "Book the team's first available consultant",
            trigger: `.o_vbw_team_col[data-name='${TEAM}'] .o_vbw_book`,
            run: "click",
        },
        ...pickFirstSlot("Pick the first free time of the team"),
        {
            content: "Step 3 is shown for the team",
            trigger: `.o_vbw_panel[data-panel='3']:not(.d-none) .o_vbw_summary_consultant:contains('${TEAM}')`,
        },
        {
            content: "The team's own questions are shown, with the required mark and the help text",
            trigger: `${TEAM_SET} label:contains('Site address') .text-danger`,
        },
        {
            trigger: `${TEAM_SET} .form-text:contains('Where the installation is planned.')`,
        },
        {
            content: "Neither the default questions nor a consultant's own are asked",
            trigger: ".o_vbw_questions[data-default].d-none:not(:visible)",
        },
        {
            trigger: "body:not(:has(.o_vbw_questions[data-consultant]:not(.d-none)))",
        },
        ...fillName({ first: "Tara", last: "Team", email: "tara.team@example.com" }),
        acceptTerms(),
        {
            content: "Submit without answering the team's required question",
            trigger: ".o_vbw_submit",
            run: "click",
        },
        {
            content: "The required question is refused inline",
            trigger: `${TEAM_SET} input[data-answer-type='char'].is-invalid[aria-invalid='true']`,
        },
        {
            trigger: `${TEAM_SET} .invalid-feedback.d-block:contains('Please answer this question.')`,
        },
        {
            content: "Answer it",
            trigger: `${TEAM_SET} input[data-answer-type='char']`,
            run: "edit Hauptstrasse 1, Berlin",
        },
        {
            content: "Choose the roof type",
            trigger: `${TEAM_SET} select[data-answer-type='select']`,
            run: "selectByLabel Pitched",
        },
        submitBooking(),
        confirmedReference("The confirmation shows the reference and who the client got"),
        {
            trigger: ".o_vbw_confirmed_consultant:contains('Tess Tourner')",
        },
    ],
});
