import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { addLoadingEffect } from "@web/core/utils/ui";
import { session } from "@web/session";
import { Interaction } from "@web/public/interaction";

import { detectTimeZone, pageLocale, periodBounds, zoneLabel } from "./booking_dates";
import { isValidEmail } from "./booking_form_rules";
import { SlotPicker } from "./booking_picker";

const CAPTCHA_ACTION = "voltaic_booking";
const PHONE_RE = /^\+?[0-9 ()./-]{5,30}$/;
const WEBSITE_RE = /^(https?:\/\/)?[\w.-]+\.[a-z]{2,}(\/\S*)?$/i;
// fields of the service's answers that are not inputs of the form
const NON_FORM_FIELDS = ["consultant", "team", "start", "duration", "meeting_type", "tz"];

/** The key of a team's "First available" card among the consultants' (whose keys are their ids). */
export function teamKey(id) {
    return `team-${id}`;
}
// the service's consent errors, shown under the one consent line
const CONSENT_FIELDS = ["terms_accepted", "privacy_accepted"];

/**
 * The booking page: step 1 (consultant, with filters), step 2 (the
 * month-and-slots picker of booking_picker.js, one screen), step 3 (the short
 * form: name and e-mail, the consultant's required details, the rest behind
 * "Add details"; posted to /book-consultation/submit, which books through
 * the booking service). Step 4 is the confirmation page the server answers with.
 */
export class BookingWizard extends Interaction {
    static selector = ".o_vbw_wizard";

    dynamicContent = {
        _root: { "t-on-error.capture.noUpdate": this.onImageError },
        _window: { "t-on-popstate": this.onPopState },
        ".o_vbw_panel": {
            "t-att-class": (el) => ({ "d-none": Number(el.dataset.panel) !== this.step }),
        },
        ".o_vbw_step": {
            "t-att-class": (el) => ({
                o_vbw_step_done: Number(el.dataset.step) < this.step,
                o_vbw_step_current: Number(el.dataset.step) === this.step,
            }),
            "t-att-aria-current": (el) => (Number(el.dataset.step) === this.step ? "step" : false),
        },
        ".o_vbw_filters": { "t-on-submit.prevent": () => this.applyFilters() },
        ".o_vbw_filter": { "t-on-change": () => this.applyFilters({ updateUrl: true }) },
        ".o_vbw_clear_filters": { "t-on-click": this.onClearFilters },
        ".o_vbw_book": { "t-on-click.prevent.withTarget": this.onBookClick },
        ".o_vbw_go": { "t-on-click.withTarget": (ev, el) => this.goToStep(Number(el.dataset.go)) },
        "input[name='vbw_duration']": { "t-on-change.withTarget": this.onDurationChange },
        "input[name='vbw_meeting_type']": { "t-on-change.withTarget": this.onMeetingTypeChange },
        ".o_vbw_picker_panel": {
            "t-att-class": () => ({ o_vbw_has_slot: Boolean(this.slot) }),
        },
        ".o_vbw_continue_when": {
            "t-out": () => this.chosenSlotText(),
        },
        ".o_vbw_to_details": {
            "t-on-click": () => this.goToStep(3),
            "t-att-disabled": () => !this.slot,
        },
        ".o_vbw_alternatives": { "t-on-click": this.onAlternativeClick },
        ".o_vbw_form": { "t-on-submit.prevent": this.locked(this.onSubmit) },
        ".o_vbw_form .form-control, .o_vbw_form .form-select, .o_vbw_form .form-check-input": {
            "t-on-blur.withTarget.noUpdate": (ev, el) => this.validateField(el, { onlyIfTouched: true }),
            "t-on-change.withTarget.noUpdate": (ev, el) => this.validateField(el, { onlyIfInvalid: true }),
            "t-on-input.withTarget.noUpdate": (ev, el) => {
                el.dataset.touched = "1";
                this.validateField(el, { onlyIfInvalid: true });
            },
        },
    };

    setup() {
        this.locale = pageLocale();
        this.single = Boolean(this.el.dataset.single);
        this.step = Number(this.el.dataset.startStep) || 1;
        this.slotsUrl = this.el.dataset.slotsUrl;
        this.language = this.el.dataset.lang || "en";
        this.form = this.el.querySelector(".o_vbw_form");
        this.consultant = null;
        this.duration = null;
        this.meetingType = null;
        this.recaptcha = null;
        this.picker = new SlotPicker(this.el.querySelector(".o_vbw_picker"), {
            locale: this.locale,
            tz: detectTimeZone(),
            language: this.language,
            slotsUrl: this.slotsUrl,
            onSelect: (slot) => this.onSlotChosen(slot),
            onZoneChange: () => {
                this.formatNextAvailable();
                this.applyFilters();
            },
            onRender: () => this.updateContent(),
            filters: () => this.teamFilterEntries(),
        });
        this.registerCleanup(() => this.picker.destroy());
        this.consultants = new Map(
            [...this.el.querySelectorAll("[data-vbw-consultant], [data-vbw-team]")].map((el) => {
                const choice = this.readConsultant(el);
                return [choice.key, choice];
            })
        );
    }

    async willStart() {
        // captcha modules are optional (dynamic lookup, no dependency): used when installed and configured;
        // the page does not wait for Google's script, the token is asked for on submit
        const recaptchaModule = odoo.loader.modules.get("@google_recaptcha/js/recaptcha");
        if (recaptchaModule && session.recaptcha_public_key) {
            this.recaptcha = new recaptchaModule.ReCaptcha();
            Promise.resolve(this.recaptcha.loadLibs()).catch(() => {});
        }
    }

    start() {
        this.fixBrokenImages();
        this.formatNextAvailable();
        this.applyFilters();
        this.addTurnstile();
        const initialId = Number(this.el.dataset.consultantId);
        if (initialId && this.consultants.has(initialId)) {
            this.selectConsultant(initialId);
        }
        const initialTeam = teamKey(new URL(window.location.href).searchParams.get("team"));
        if (!this.consultant && this.consultants.get(initialTeam)?.bookable) {
            this.selectConsultant(initialTeam);
            this.step = 2;
        }
        if (this.step === 2 && !this.consultant) {
            this.step = 1;
        }
        history.replaceState({ ...(history.state || {}), vbwStep: this.step }, "");
        if (this.step === 2) {
            this.picker.show();
        }
        this.updateContent();
    }

    // ------------------------------------------------------------------
    // Consultants (step 1)
    // ------------------------------------------------------------------

    readConsultant(el) {
        const list = (value) => (value ? value.split(",") : []);
        // a team's card ("First available"): the service assigns one of its members
        const team = el.dataset.vbwTeam ? Number(el.dataset.vbwTeam) : null;
        return {
            id: team || Number(el.dataset.vbwConsultant),
            team,
            key: team ? teamKey(team) : Number(el.dataset.vbwConsultant),
            name: el.dataset.name,
            title: el.dataset.title || "",
            initials: el.dataset.initials || "",
            photo: el.dataset.photo || "",
            profileUrl: el.dataset.profileUrl,
            tz: el.dataset.tz || "UTC",
            durations: list(el.dataset.durations).map(Number),
            meetingTypes: list(el.dataset.meetingTypes),
            languages: list(el.dataset.languages),
            expertise: list(el.dataset.expertise),
            next: el.dataset.next || "",
            free: (el.dataset.free || "")
                .split(" ")
                .filter(Boolean)
                .map((range) => range.split("-").map((minutes) => Number(minutes) * 60000)),
            lastDay: el.dataset.lastDay || "",
            bookable: el.dataset.bookable === "1",
            editDeadlineHours: Number(el.dataset.editDeadlineHours || 0),
            requiredDetails: list(el.dataset.requiredDetails),
            el,
        };
    }

    /** Show the next free time of each card in the visitor's zone and language. */
    formatNextAvailable() {
        const { dayMonth, time } = this.picker.formatters();
        const zone = this.picker.zoneText();
        for (const el of this.el.querySelectorAll(".o_vbw_next_time[datetime]")) {
            const date = new Date(el.getAttribute("datetime"));
            if (!isNaN(date)) {
                el.textContent = `${dayMonth.format(date)}, ${time.format(date)}`;
                const zoneEl = el.parentElement.querySelector(".o_vbw_next_zone");
                if (zoneEl) {
                    zoneEl.textContent = zone;
                }
            }
        }
    }

    get tz() {
        return this.picker.tz;
    }

    get slot() {
        return this.picker.slot;
    }

    applyFilters({ updateUrl = false } = {}) {
        const filtersEl = this.el.querySelector(".o_vbw_filters");
        if (!filtersEl) {
            return;
        }
        const values = Object.fromEntries(new FormData(filtersEl).entries());
        const bounds = values.when ? periodBounds(values.when, this.tz, this.locale) : null;
        let shown = 0;
        for (const consultant of this.consultants.values()) {
            const matches =
                (!values.expertise || consultant.expertise.includes(values.expertise)) &&
                (!values.language || consultant.languages.includes(values.language)) &&
                (!values.meeting_type || consultant.meetingTypes.includes(values.meeting_type)) &&
                (!bounds ||
                    consultant.free.some(([first, last]) => first < bounds[1] && last >= bounds[0]));
            consultant.el.classList.toggle("d-none", !matches);
            shown += matches ? 1 : 0;
        }
        this.el.querySelector(".o_vbw_no_match")?.classList.toggle("d-none", shown > 0);
        const countEl = this.el.querySelector(".o_vbw_results_count");
        if (countEl) {
            countEl.textContent = _t("Consultants shown: %s", shown);
        }
        if (updateUrl) {
            const url = new URL(window.location.href);
            for (const name of ["expertise", "language", "meeting_type", "when"]) {
                if (values[name]) {
                    url.searchParams.set(name, values[name]);
                } else {
                    url.searchParams.delete(name);
                }
            }
            history.replaceState(history.state, "", url);
        }
    }

    onClearFilters() {
        for (const select of this.el.querySelectorAll(".o_vbw_filter")) {
            select.value = "";
        }
        this.applyFilters({ updateUrl: true });
        this.el.querySelector(".o_vbw_filter")?.focus();
    }

    onBookClick(ev, el) {
        const id = el.dataset.teamId ? teamKey(el.dataset.teamId) : Number(el.dataset.consultantId);
        if (!this.consultants.has(id)) {
            window.location.assign(el.href);
            return;
        }
        this.selectConsultant(id);
        this.goToStep(2);
    }

    selectConsultant(id) {
        const consultant = this.consultants.get(id);
        if (this.consultant?.key !== id) {
            this.hideConflict();
        }
        this.consultant = consultant;
        this.picker.setConsultant(consultant);
        this.placeDetails(consultant.requiredDetails);
        if (!consultant.durations.includes(this.duration)) {
            this.duration = consultant.durations[0];
        }
        this.picker.setDuration(this.duration);
        if (!consultant.meetingTypes.includes(this.meetingType)) {
            this.meetingType = consultant.meetingTypes[0];
        }
        for (const option of this.el.querySelectorAll(".o_vbw_option[data-duration]")) {
            const minutes = Number(option.dataset.duration);
            option.classList.toggle("d-none", !consultant.durations.includes(minutes));
            option.querySelector("input").checked = minutes === this.duration;
        }
        for (const option of this.el.querySelectorAll(".o_vbw_option[data-meeting-type]")) {
            const type = option.dataset.meetingType;
            option.classList.toggle("d-none", !consultant.meetingTypes.includes(type));
            option.querySelector("input").checked = type === this.meetingType;
        }
        const chosen = this.el.querySelector(".o_vbw_chosen");
        chosen.querySelector(".o_vbw_chosen_name").textContent = consultant.name;
        chosen.querySelector(".o_vbw_chosen_title").textContent = consultant.title;
        chosen.querySelector(".o_vbw_initials").textContent = consultant.initials;
        let img = chosen.querySelector(".o_vbw_photo");
        if (consultant.photo) {
            if (!img) {
                img = document.createElement("img");
                img.className = "o_vbw_photo";
                img.alt = "";
                img.width = img.height = 48;
                chosen.querySelector(".o_vbw_avatar").append(img);
            }
            img.classList.remove("d-none");
            if (img.getAttribute("src") !== consultant.photo) {
                img.src = consultant.photo;
            }
        } else {
            img?.classList.add("d-none");
        }
    }

    // ------------------------------------------------------------------
    // Steps and history
    // ------------------------------------------------------------------

    goToStep(step, { push = true } = {}) {
        if (step === 1 && this.single) {
            window.location.assign(this.el.querySelector("a[href$='/book-consultation']")?.href || "/book-consultation");
            return;
        }
        if (step >= 2 && !this.consultant) {
            step = 1;
        }
        if (step === 3 && !this.slot) {
            step = 2;
        }
        const changed = step !== this.step;
        this.step = step;
        if (step === 2) {
            this.picker.show();
        }
        if (step === 3) {
            this.fillSummary();
        }
        if (push && changed) {
            const url = new URL(window.location.href);
            if (step >= 2 && !this.single) {
                const [name, other] = this.consultant.team ? ["team", "consultant"] : ["consultant", "team"];
                url.searchParams.set(name, this.consultant.id);
                url.searchParams.delete(other);
            } else if (step === 1) {
                url.searchParams.delete("consultant");
                url.searchParams.delete("team");
            }
            history.pushState({ vbwStep: step }, "", url);
        }
        if (changed) {
            this.announceStep();
            this.waitForAnimationFrame(() => {
                const panel = this.el.querySelector(`.o_vbw_panel[data-panel='${step}']`);
                const heading = panel?.querySelector("h2");
                if (heading) {
                    heading.tabIndex = -1;
                    heading.focus({ preventScroll: true });
                }
                const top = this.el.getBoundingClientRect().top + window.scrollY - 80;
                if (window.scrollY > top) {
                    window.scrollTo({ top, behavior: "instant" });
                }
            });
        }
    }

    announceStep() {
        const labels = {
            1: _t("Consultant"),
            2: _t("Date & time"),
            3: _t("Your details"),
        };
        this.el.querySelector(".o_vbw_announce").textContent = _t("Step %(step)s of 4: %(label)s", {
            step: this.step,
            label: labels[this.step],
        });
    }

    onPopState(ev) {
        const step = ev.state?.vbwStep;
        if (step) {
            this.goToStep(step, { push: false });
        }
    }

    // ------------------------------------------------------------------
    // Date and time (step 2)
    // ------------------------------------------------------------------

    onDurationChange(ev, el) {
        this.duration = Number(el.value);
        this.picker.setDuration(this.duration);
        this.picker.show();
    }

    onMeetingTypeChange(ev, el) {
        this.meetingType = el.value;
        if (this.consultant?.team) {
            // a team's times depend on who offers this kind of meeting
            this.picker.show();
        }
    }

    /** What narrows a team's members: step 1's expertise and language filters, step 2's meeting type. */
    teamFilterEntries() {
        if (!this.consultant?.team) {
            return [];
        }
        const filters = this.el.querySelector(".o_vbw_filters");
        const values = filters ? Object.fromEntries(new FormData(filters).entries()) : {};
        return [
            ["meeting_type", this.meetingType || ""],
            ["expertise", values.expertise || ""],
            ["consultant_language", values.language || ""],
        ].filter(([, value]) => value);
    }

    /** The picker's choice: announce it; on phones the sticky "Continue" bar shows it. */
    onSlotChosen(slot) {
        if (slot) {
            const { time } = this.picker.formatters();
            this.el.querySelector(".o_vbw_announce").textContent = _t(
                "%(time)s selected. Continue to your details.",
                { time: time.format(new Date(slot.start)) }
            );
        }
        this.updateContent();
    }

    chosenSlotText() {
        if (!this.slot) {
            return "";
        }
        const { dayMonth, time } = this.picker.formatters();
        const start = new Date(this.slot.start);
        return `${dayMonth.format(start)}, ${time.format(start)}`;
    }

    // ------------------------------------------------------------------
    // Details (step 3)
    // ------------------------------------------------------------------

    fillSummary() {
        this.el.querySelector(".o_vbw_summary").classList.remove("o_vbw_summary_stale");
        const start = new Date(this.slot.start);
        const end = new Date(this.slot.end);
        const client = this.picker.formatters();
        const summary = this.el.querySelector(".o_vbw_summary");
        summary.querySelector(".o_vbw_summary_consultant").textContent = this.consultant.name;
        summary.querySelector(".o_vbw_summary_when").textContent = _t("%(day)s, %(start)s – %(end)s (%(zone)s)", {
            day: client.longDay.format(start),
            start: client.time.format(start),
            end: client.time.format(end),
            zone: zoneLabel(this.tz, this.locale, start),
        });
        this.fillDeadline(start);
        const meetingLabel =
            this.el.querySelector(`label[for='vbw_meeting_type_${this.meetingType}']`)?.textContent.trim() || "";
        summary.querySelector(".o_vbw_summary_meta").textContent = _t("%(minutes)s minutes · %(type)s", {
            minutes: this.duration,
            type: meetingLabel,
        });
        const values = {
            consultant: this.consultant.team ? "" : this.consultant.id,
            start: this.slot.start,
            duration: this.duration,
            meeting_type: this.meetingType,
            tz: this.tz,
        };
        for (const [name, value] of Object.entries(values)) {
            this.form.querySelector(`input[type='hidden'][name='${name}']`).value = value;
        }
    }

    /**
     * Honest deadlines: until when the chosen time can be changed online (the consultant's
     * edit deadline before the start), or that it no longer can (as the confirmation page says).
     */
    fillDeadline(start) {
        const note = this.el.querySelector(".o_vbw_deadline");
        if (!note) {
            return;
        }
        const deadline = new Date(start.getTime() - this.consultant.editDeadlineHours * 3600000);
        const passed = deadline.getTime() <= Date.now();
        note.classList.toggle("o_vbw_deadline_passed", passed);
        note.textContent = passed
            ? _t("This time can no longer be changed online.")
            : _t("Free changes until %s.", this.picker.formatters().deadline.format(deadline));
    }

    /**
     * The consultant's required details join name and e-mail; the others wait behind "Add details".
     * Each detail is a ``[data-detail]`` block moved between the two places.
     */
    placeDetails(required) {
        const requiredBox = this.el.querySelector(".o_vbw_required_details");
        const optionalBox = this.el.querySelector(".o_vbw_optional_details");
        if (!requiredBox || !optionalBox) {
            return;
        }
        for (const block of this.el.querySelectorAll(".o_vbw_form [data-detail]")) {
            const isRequired = required.includes(block.dataset.detail);
            (isRequired ? requiredBox : optionalBox).append(block);
            const input = block.querySelector(".form-control, .form-select");
            input.required = isRequired;
            input.toggleAttribute("aria-required", isRequired);
            block.querySelector(".o_vbw_required_mark")?.classList.toggle("d-none", !isRequired);
            if (!isRequired) {
                this.setFieldError(input.name, "");
            }
        }
        const disclosure = this.el.querySelector(".o_vbw_more_details");
        disclosure?.classList.toggle("d-none", !optionalBox.querySelector("[data-detail]"));
    }

    fieldMessage(el) {
        const value = el.type === "checkbox" ? el.checked : el.value.trim();
        switch (el.name) {
            case "first_name":
                return value ? "" : _t("Please enter your first name.");
            case "last_name":
                return value ? "" : _t("Please enter your last name.");
            case "email":
                if (!value) {
                    return _t("Please enter your email address.");
                }
                return isValidEmail(value) ? "" : _t("Please enter a valid email address, like name@example.com.");
            case "phone":
                return !value || PHONE_RE.test(value) ? "" : _t("Please enter a valid phone number.");
            case "website":
                return !value || WEBSITE_RE.test(value) ? "" : _t("Please enter a valid website, like www.example.com.");
            case "terms_accepted":
                return value ? "" : _t("Please accept the terms and conditions.");
            case "privacy_accepted":
                return value ? "" : _t("Please accept the privacy policy.");
            case "consent":
                return value ? "" : _t("Please accept the terms and the privacy policy.");
        }
        if (el.required && !value) {
            return _t("Please fill in this field.");
        }
        if (el.maxLength > 0 && typeof value === "string" && value.length > el.maxLength) {
            return _t("This text is too long (at most %s characters).", el.maxLength);
        }
        return "";
    }

    validateField(el, { onlyIfTouched = false, onlyIfInvalid = false } = {}) {
        if (!el.name || el.type === "hidden") {
            return true;
        }
        if (onlyIfTouched && !el.dataset.touched && !el.classList.contains("is-invalid")) {
            return true;
        }
        if (onlyIfInvalid && !el.classList.contains("is-invalid")) {
            return true;
        }
        const message = this.fieldMessage(el);
        this.setFieldError(el.name, message);
        return !message;
    }

    setFieldError(name, message) {
        const input = this.form.querySelector(`[name='${name}']:not([type='hidden'])`);
        if (!input) {
            return false;
        }
        input.classList.toggle("is-invalid", Boolean(message));
        input.setAttribute("aria-invalid", message ? "true" : "false");
        const feedback = this.form.querySelector(`#vbw_error_${name}`);
        if (feedback) {
            feedback.textContent = message || "";
        }
        return true;
    }

    validateForm() {
        let firstInvalid = null;
        for (const el of this.form.querySelectorAll(".form-control, .form-select, .form-check-input")) {
            el.dataset.touched = "1";
            if (!this.validateField(el) && !firstInvalid) {
                firstInvalid = el;
            }
        }
        const disclosure = firstInvalid?.closest(".o_vbw_more_details");
        if (disclosure) {
            disclosure.open = true;
        }
        return firstInvalid;
    }

    showFormError(message) {
        const alert = this.el.querySelector(".o_vbw_form_error");
        alert.textContent = message || "";
        alert.classList.toggle("d-none", !message);
        if (message) {
            alert.focus();
        }
    }

    async captchaToken() {
        if (!this.recaptcha) {
            return null;
        }
        const result = await this.waitFor(this.recaptcha.getToken(CAPTCHA_ACTION));
        if (result.error) {
            throw new Error(result.error);
        }
        return result.token || null;
    }

    addTurnstile() {
        if (!session.turnstile_site_key || !this.form) {
            return;
        }
        const turnstileModule = odoo.loader.modules.get("@website_cf_turnstile/interactions/turnstile");
        if (!turnstileModule) {
            return;
        }
        const { TurnStile } = turnstileModule;
        const turnstile = new TurnStile(CAPTCHA_ACTION);
        const submit = this.form.querySelector(".o_vbw_submit");
        TurnStile.disableSubmit(submit);
        this.insert(turnstile.turnstileEl, submit.parentElement, "beforebegin");
        turnstile.insertScripts(this.form);
        turnstile.render();
        this.registerCleanup(() => TurnStile.clean(this.form));
    }

    async onSubmit() {
        this.showFormError("");
        if (!this.slot) {
            // the chosen time was taken: a new one must be picked first
            this.el.querySelector(".o_vbw_conflict:not(.d-none)")?.focus();
            return;
        }
        const firstInvalid = this.validateForm();
        if (firstInvalid) {
            firstInvalid.focus();
            return;
        }
        const body = new FormData(this.form);
        if (this.consultant.team) {
            // the service assigns one of the team's members who match step 1's filters
            const filters = Object.fromEntries(this.teamFilterEntries());
            body.set("team", this.consultant.team);
            body.set("team_expertise", filters.expertise || "");
            body.set("team_language", filters.consultant_language || "");
        }
        const restore = addLoadingEffect(this.form.querySelector(".o_vbw_submit"));
        let response;
        let data = null;
        try {
            const token = await this.captchaToken();
            if (token) {
                body.set("recaptcha_token_response", token);
            }
            response = await this.waitFor(
                fetch(this.form.action, {
                    method: "POST",
                    body,
                    headers: { Accept: "application/json" },
                    credentials: "same-origin",
                })
            );
            data = await this.waitFor(response.json().catch(() => null));
        } catch (error) {
            restore();
            this.showFormError(error.message || _t("The booking could not be sent. Check your connection and try again."));
            return;
        }
        if (response.status === 201 && data?.redirect_url) {
            window.location.assign(data.redirect_url);
            return;
        }
        restore();
        const error = data?.error;
        if (response.status === 409 && error?.code === "slot_unavailable") {
            this.onSlotTaken(error);
        } else if (response.status === 422 && error?.fields) {
            this.showServerErrors(error);
        } else if (!data) {
            this.showFormError(_t("Your session has expired. Please reload the page and try again."));
        } else {
            this.showFormError(error?.message || _t("Something went wrong. Please try again."));
        }
    }

    showServerErrors(error) {
        const other = [];
        let firstInvalid = null;
        for (const [field, message] of Object.entries(error.fields)) {
            const name = CONSENT_FIELDS.includes(field) && !this.form.querySelector(`[name='${field}']`)
                ? "consent"
                : field;
            if (!NON_FORM_FIELDS.includes(name) && this.setFieldError(name, message)) {
                if (this.el.querySelector(`.o_vbw_optional_details [name='${name}']`)) {
                    this.el.querySelector(".o_vbw_more_details").open = true;
                }
                firstInvalid ||= this.form.querySelector(`[name='${name}']:not([type='hidden'])`);
            } else {
                other.push(message);
            }
        }
        if (other.length) {
            this.showFormError(other.join(" "));
        } else if (firstInvalid) {
            firstInvalid.focus();
        }
    }

    /** The chosen time was taken meanwhile: say so, offer the alternatives, refresh the slots, keep the form. */
    onSlotTaken(error) {
        const taken = this.slot?.start;
        this.picker.slot = null;
        this.picker.clearCache();
        const { dayMonth, time } = this.picker.formatters();
        const alternatives = (error.alternatives || []).filter((slot) => slot.start !== taken);
        const buttons = alternatives.map((slot) => {
            const start = new Date(slot.start);
            const button = document.createElement("button");
            button.type = "button";
            button.className = "btn btn-outline-primary btn-sm o_vbw_alternative";
            button.dataset.start = slot.start;
            button.dataset.end = slot.end;
            button.textContent = dayMonth.format(start) + ", " + time.format(start);
            return button;
        });
        const conflict = this.el.querySelector(".o_vbw_conflict");
        conflict.querySelector(".o_vbw_alternatives").replaceChildren(...buttons);
        conflict.querySelector(".o_vbw_conflict_hint").textContent = buttons.length
            ? _t("Your details are kept. Pick one of these free times, or see all times:")
            : _t("Your details are kept. Please choose another time.");
        conflict.classList.remove("d-none");
        this.el.querySelector(".o_vbw_summary").classList.add("o_vbw_summary_stale");
        conflict.focus();
        this.updateContent();
        this.picker.show({ force: true, autoSelect: false });
    }

    hideConflict() {
        this.el.querySelector(".o_vbw_conflict")?.classList.add("d-none");
    }

    onAlternativeClick(ev) {
        const button = ev.target.closest(".o_vbw_alternative");
        if (!button) {
            return;
        }
        this.picker.choose({ start: button.dataset.start, end: button.dataset.end });
        this.hideConflict();
        this.fillSummary();
        this.picker.show({ autoSelect: false });
        this.el.querySelector(".o_vbw_summary").classList.add("o_vbw_summary_updated");
        this.form.querySelector(".o_vbw_submit").focus();
    }

    // ------------------------------------------------------------------
    // Pictures
    // ------------------------------------------------------------------

    onImageError(ev) {
        if (ev.target.classList?.contains("o_vbw_photo")) {
            ev.target.classList.add("d-none");
        }
    }

    fixBrokenImages() {
        for (const img of this.el.querySelectorAll("img.o_vbw_photo")) {
            if (img.complete && !img.naturalWidth) {
                img.classList.add("d-none");
            }
        }
    }
}

registry.category("public.interactions").add("voltaic_booking.booking_wizard", BookingWizard);
