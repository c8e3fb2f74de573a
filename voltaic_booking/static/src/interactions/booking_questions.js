import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";

import { BookingWizard } from "./booking_wizard";

const ANSWER_PREFIX = "answers.";

/**
 * Step 3's intake questions (template voltaic_booking.booking_intake_questions): the chosen
 * consultant's own question set (``data-consultant``) or, for a team's "First available" card, the
 * team's own set (``data-team``), else the global default one, is shown and enabled (the inputs of
 * the other sets stay disabled, so they are neither validated nor posted). A consultant never gets a
 * team's set, nor a team a consultant's. Inputs are named
 * ``answers.<question id>``, the key of the booking service's errors, and are validated inline like
 * the other fields.
 */
patch(BookingWizard.prototype, {
    selectConsultant(id) {
        super.selectConsultant(id);
        this.showIntakeQuestions(id);
    },

    /**
     * @param {number|string} key the card's key: a consultant's id, or ``team-<id>`` (``teamKey``)
     */
    showIntakeQuestions(key) {
        // a set may be rendered in several blocks (e.g. its required and its optional questions)
        const sets = [...this.el.querySelectorAll(".o_vbw_questions")];
        const team = this.consultants?.get(key)?.team;
        const own = team
            ? sets.filter((set) => set.dataset.team && Number(set.dataset.team) === team)
            : sets.filter((set) => set.dataset.consultant && Number(set.dataset.consultant) === key);
        const active = own.length ? own : sets.filter((set) => set.dataset.default);
        for (const set of sets) {
            const shown = active.includes(set);
            set.classList.toggle("d-none", !shown);
            for (const input of set.querySelectorAll("input, select, textarea")) {
                input.disabled = !shown;
            }
        }
    },

    validateField(el, options) {
        return el.disabled ? true : super.validateField(el, options);
    },

    fieldMessage(el) {
        if (!el.name?.startsWith(ANSWER_PREFIX)) {
            return super.fieldMessage(el);
        }
        const type = el.dataset.answerType;
        if (type === "number" && el.validity?.badInput) {
            return _t("Please enter a number.");
        }
        if (el.dataset.answerRequired) {
            const answered =
                type === "multi" || type === "checkbox"
                    ? this.answerInputs(el.name).some((input) => input.checked)
                    : Boolean(el.value.trim());
            if (!answered) {
                return _t("Please answer this question.");
            }
        }
        return super.fieldMessage(el);
    },

    answerInputs(name) {
        return [...this.form.querySelectorAll(`[name='${name}']:not(:disabled)`)];
    },

    setFieldError(name, message) {
        if (!name.startsWith(ANSWER_PREFIX)) {
            return super.setFieldError(name, message);
        }
        const inputs = this.answerInputs(name);
        if (!inputs.length) {
            return false;
        }
        for (const input of inputs) {
            input.classList.toggle("is-invalid", Boolean(message));
            input.setAttribute("aria-invalid", message ? "true" : "false");
        }
        // the id holds a dot: looked up by id, not by a CSS selector; shown also under a group of boxes
        const feedback = this.el.ownerDocument.getElementById(`vbw_error_${name}`);
        if (feedback) {
            feedback.textContent = message || "";
            feedback.classList.toggle("d-block", Boolean(message));
        }
        return true;
    },
});
