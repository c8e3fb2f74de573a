import { registry } from "@web/core/registry";

import {
    acceptTerms,
    confirmedReference,
    fillName,
    FIRST_SLOT,
    pickAndCheckFirstSlot,
    submitBooking,
} from "@voltaic_booking/../tests/tours/booking_steps";

/**
 * Accessibility, measured: axe-core (WCAG 2.1 A/AA rules) on every step of
 * the booking flow and on the manage page. Started by
 * tests/test_accessibility.py at desktop and phone widths, in English and
 * German; any serious or critical violation fails the tour with a readable
 * list (rule, impact, help, the elements and what is wrong with them).
 *
 * axe-core comes from the npm registry (see docs/testing.md); the test serves
 * the file it found at AXE_URL for the length of the test.
 */

const AXE_URL = "/web/content/voltaic_booking.vb_test_axe_core";
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const FAILING_IMPACTS = ["serious", "critical"];
const CONSULTANT = "Tess Tourner";

async function loadAxe() {
    if (window.axe) {
        return window.axe;
    }
    const response = await fetch(AXE_URL);
    if (!response.ok) {
        throw new Error(`axe-core could not be loaded from ${AXE_URL}: ${response.status}`);
    }
    const script = document.createElement("script");
    script.textContent = await response.text();
    document.head.appendChild(script);
    return window.axe;
}

function describe(violations) {
    return violations
        .map((violation) => {
            const nodes = violation.nodes
                .slice(0, 8)
                .map((node) => `    - ${node.target.join(" ")}\n      ${(node.failureSummary || "").replace(/\n/g, "\n      ")}`)
                .join("\n");
            const more = violation.nodes.length > 8 ? `\n    … and ${violation.nodes.length - 8} more` : "";
            return `  [${violation.impact}] ${violation.id}: ${violation.help}\n    ${violation.helpUrl}\n${nodes}${more}`;
        })
        .join("\n");
}

const STORE = "voltaic_booking_axe_violations";

/**
 * A step that runs axe-core on the whole page; serious or critical violations are kept (across page loads)
 * and reported together by the last step (``axeReport``), so one run lists every page's problems.
 */
function axeCheck(pageName) {
    return {
        content: `axe-core: WCAG 2.1 AA rules on ${pageName}`,
        trigger: "body",
        async run() {
            const axe = await loadAxe();
            const results = await axe.run(document, {
                runOnly: { type: "tag", values: AXE_TAGS },
                resultTypes: ["violations"],
            });
            const failing = results.violations.filter((v) => FAILING_IMPACTS.includes(v.impact));
            if (failing.length) {
                const where = `${pageName} (${window.innerWidth}px, ${document.documentElement.lang})`;
                const found = JSON.parse(sessionStorage.getItem(STORE) || "[]");
                found.push(`${where}:\n${describe(failing)}`);
                sessionStorage.setItem(STORE, JSON.stringify(found));
            }
        },
    };
}

function axeStart() {
    return {
        content: "axe-core: start afresh",
        trigger: "body",
        run() {
            sessionStorage.removeItem(STORE);
        },
    };
}

function axeReport() {
    return {
        content: "axe-core: no serious or critical violation on any page",
        trigger: "body",
        run() {
            const found = JSON.parse(sessionStorage.getItem(STORE) || "[]");
            if (found.length) {
                throw new Error(`axe-core found serious/critical violations on ${found.length} page(s):\n${found.join("\n")}`);
            }
        },
    };
}

/**
 * How to walk the flow: the one place that knows the page's structure
 * (adapt it here when the steps change).
 */
const flow = {
    consultants: () => [
        {
            content: "Step 1: the consultants are listed",
            trigger: `.o_vbw_card_col[data-name='${CONSULTANT}'] .o_vbw_next_time:not(:empty)`,
        },
    ],
    dateAndTime: () => [
        {
            content: "Book with the consultant",
            trigger: `.o_vbw_card_col[data-name='${CONSULTANT}'] .o_vbw_book`,
            run: "click",
        },
        {
            content: "Step 2: month and slots are shown",
            trigger: FIRST_SLOT,
        },
    ],
    details: () => [
        ...pickAndCheckFirstSlot("Pick the first free slot"),
        {
            content: "Step 3: the form is shown",
            trigger: ".o_vbw_panel[data-panel='3']:not(.d-none) #vbw_first_name",
        },
    ],
    confirmation: ({ email }) => [
        ...fillName({ first: "Ally", last: "Access", email }),
        acceptTerms(),
        submitBooking(),
        confirmedReference(),
    ],
    manage: () => [
        {
            content: "Open the manage page",
            trigger: ".o_vbw_reschedule[href*='/book-consultation/manage/']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The manage page shows the booking",
            trigger: ".o_vb_manage",
        },
    ],
    manageReschedule: () => [
        {
            content: "Open the reschedule section (a #reschedule link may have opened it already)",
            trigger: ".o_vb_open_reschedule",
            run() {
                if (!document.querySelector("#o_vb_reschedule.show")) {
                    document.querySelector(".o_vb_open_reschedule").click();
                }
            },
        },
        {
            content: "Its free times are shown",
            trigger: "#o_vb_reschedule.show button[data-start], #o_vb_reschedule.show .o_vbw_slot[data-start]",
        },
    ],
};

function axeFlow(email) {
    return [
        axeStart(),
        ...flow.consultants(),
        axeCheck("step 1 (consultants)"),
        ...flow.dateAndTime(),
        axeCheck("step 2 (date and time)"),
        ...flow.details(),
        axeCheck("step 3 (details form)"),
        ...flow.confirmation({ email }),
        axeCheck("the confirmation page"),
        ...flow.manage(),
        axeCheck("the manage page"),
        ...flow.manageReschedule(),
        axeCheck("the manage page's reschedule section"),
        axeReport(),
    ];
}

registry.category("web_tour.tours").add("voltaic_booking_axe", {
    steps: () => axeFlow("ally.access@example.com"),
});
