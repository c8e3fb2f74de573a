import { registry } from "@web/core/registry";

import {
    acceptTerms,
    confirmedReference,
    fillName,
    openAddDetails,
    pickFirstSlot,
    submitBooking,
} from "@voltaic_booking/../tests/tours/booking_steps";

/**
 * "First available" on the booking page (issue 14), started by
 * tests/test_booking_page_team.py on a desktop and a phone-sized screen: the
 * client picks the team's card, a time of the members' union of free times,
 * fills in the details, and meets the consultant they got on the confirmation.
 */

const TEAM = "Tour Team";
const ASSIGNED = "Tess Tourner";

registry.category("web_tour.tours").add("voltaic_booking_team_first_available", {
    url: "/book-consultation",
    steps: () => [
        {
            content: "The team's First available card shows the next free time",
            trigger: `.o_vbw_team_col[data-name='${TEAM}'] .o_vbw_next_time:not(:empty)`,
        },
        {
            content: "Book the first available consultant",
            trigger: `.o_vbw_team_col[data-name='${TEAM}'] .o_vbw_book`,
            run: "click",
        },
        {
            content: "Step 2 shows the team, not a consultant",
            trigger: `.o_vbw_panel[data-panel='2']:not(.d-none) .o_vbw_chosen_name:contains('${TEAM}')`,
        },
        {
            content: "Times are in the client's zone",
            trigger: ".o_vbw_consultant_tz:contains('your time zone')",
        },
        ...pickFirstSlot("The team's free times are listed"),
        {
            content: "The summary names the team",
            trigger: `.o_vbw_panel[data-panel='3']:not(.d-none) .o_vbw_summary_consultant:contains('${TEAM}')`,
        },
        ...fillName({ first: "Fay", last: "Firstavailable", email: "fay.first@example.com" }),
        openAddDetails(),
        { content: "Subject", trigger: "#vbw_subject", run: "edit Any expert will do" },
        acceptTerms(),
        submitBooking(),
        confirmedReference(),
        {
            content: "... and who the client got",
            trigger: `.o_vbw_confirmed_consultant:contains('${ASSIGNED}')`,
        },
    ],
});
