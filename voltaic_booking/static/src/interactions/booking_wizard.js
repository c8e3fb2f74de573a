import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { addLoadingEffect } from "@web/core/utils/ui";
import { session } from "@web/session";
import { Interaction } from "@web/public/interaction";

import {
    addDays,
    dayKey,
    detectTimeZone,
    firstDayOfWeek,
    formatters,
    isTimeZone,
    isoWeekday,
    keyDate,
    keyFormatters,
    offsetLabel,
    pageLocale,
    parseKey,
    periodBounds,
    timeZoneNames,
} from "./booking_dates";

const CAPTCHA_ACTION = "voltaic_booking";
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
const PHONE_RE = /^\+?[0-9 ()./-]{5,30}$/;
const WEBSITE_RE = /^(https?:\/\/)?[\w.-]+\.[a-z]{2,}(\/\S*)?$/i;
const SKELETON_SLOTS = 8;
// fields of the service's answers that are not inputs of the form
const NON_FORM_FIELDS = ["consultant", "team", "start", "duration", "meeting_type", "tz"];

/** The key of a team's "First available" card among the consultants' (whose keys are their ids). */
export function teamKey(id) {
    return `team-${id}`;
}

/**
 * The booking page: step 1 (consultant, with filters), step 2 (month
 * calendar and slots from /api/consultations/slots), step 3 (details,
 * posted to /book-consultation/submit, which books through the booking
 * service). Step 4 is the confirmation page the server answers with.
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
        ".o_vbw_month_prev": {
            "t-on-click": () => this.shiftMonth(-1),
            "t-att-disabled": () => !this.canShiftMonth(-1),
        },
        ".o_vbw_month_next": {
            "t-on-click": () => this.shiftMonth(1),
            "t-att-disabled": () => !this.canShiftMonth(1),
        },
        ".o_vbw_tz": { "t-on-change.withTarget": this.onTimeZoneChange },
        ".o_vbw_weeks": { "t-on-click": this.onDayClick, "t-on-keydown": this.onGridKeydown },
        ".o_vbw_slots": {
            "t-on-click": this.onSlotClick,
            "t-att-aria-busy": () => (this.loading ? "true" : "false"),
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
        this.tz = detectTimeZone();
        this.consultant = null;
        this.duration = null;
        this.meetingType = null;
        this.month = null; // "YYYY-MM-01"
        this.day = null; // "YYYY-MM-DD" in this.tz
        this.slot = null; // {start, end} UTC ISO strings
        this.slotsByDay = new Map();
        this.cache = new Map();
        this.loading = false;
        this.loadError = "";
        this.loadCounter = 0;
        this.recaptcha = null;
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
            this.ensureTimeZoneOptions();
            this.showMonth();
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
            el,
        };
    }

    /** Show the next free time of each card in the visitor's zone and language. */
    formatNextAvailable() {
        const { dayMonth, time } = formatters(this.locale, this.tz);
        for (const el of this.el.querySelectorAll(".o_vbw_next_time[datetime]")) {
            const date = new Date(el.getAttribute("datetime"));
            if (!isNaN(date)) {
                el.textContent = `${dayMonth.format(date)}, ${time.format(date)}`;
            }
        }
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
            this.slot = null;
            this.day = null;
            this.month = null;
            this.hideConflict();
        }
        this.consultant = consultant;
        if (!consultant.durations.includes(this.duration)) {
            this.duration = consultant.durations[0];
        }
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
            this.ensureTimeZoneOptions();
            this.showMonth();
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

    ensureTimeZoneOptions() {
        const select = this.el.querySelector(".o_vbw_tz");
        if (!select.options.length) {
            const now = new Date();
            const fragment = document.createDocumentFragment();
            for (const zone of timeZoneNames([this.tz, this.consultant?.tz])) {
                const option = document.createElement("option");
                option.value = zone;
                const offset = offsetLabel(zone, now);
                option.textContent = offset ? zone.replaceAll("_", " ") + " (" + offset + ")" : zone;
                fragment.append(option);
            }
            select.append(fragment);
        }
        select.value = this.tz;
        this.updateConsultantZoneNote();
    }

    updateConsultantZoneNote() {
        const note = this.el.querySelector(".o_vbw_consultant_tz");
        if (!this.consultant) {
            return;
        }
        if (this.consultant.team) {
            note.textContent = _t("Times are shown in your time zone.");
            return;
        }
        const zone = this.consultant.tz;
        const zoneLabel = zone.replaceAll("_", " ") + " (" + offsetLabel(zone) + ")";
        note.textContent =
            offsetLabel(zone) === offsetLabel(this.tz)
                ? _t("%(name)s's time zone: %(zone)s, the same time as yours.", {
                      name: this.consultant.name,
                      zone: zoneLabel,
                  })
                : _t("%(name)s's time zone: %(zone)s. Their local time is shown under each time.", {
                      name: this.consultant.name,
                      zone: zoneLabel,
                  });
    }

    onTimeZoneChange(ev, el) {
        if (!isTimeZone(el.value)) {
            return;
        }
        const slotStart = this.slot?.start;
        this.tz = el.value;
        this.day = slotStart ? dayKey(new Date(slotStart), this.tz) : null;
        this.month = this.day ? `${this.day.slice(0, 7)}-01` : this.month;
        this.updateConsultantZoneNote();
        this.formatNextAvailable();
        this.applyFilters();
        this.showMonth();
    }

    onDurationChange(ev, el) {
        this.duration = Number(el.value);
        this.showMonth();
    }

    onMeetingTypeChange(ev, el) {
        this.meetingType = el.value;
        if (this.consultant?.team) {
            // a team's times depend on who offers this kind of meeting
            this.showMonth();
        }
    }

    todayKey() {
        return dayKey(new Date(), this.tz);
    }

    canShiftMonth(delta) {
        if (!this.month || !this.consultant) {
            return false;
        }
        const target = this.shiftedMonth(delta);
        if (delta < 0) {
            return target >= `${this.todayKey().slice(0, 7)}-01`;
        }
        return !this.consultant.lastDay || target <= this.consultant.lastDay;
    }

    shiftedMonth(delta) {
        const [year, month] = parseKey(this.month);
        return new Date(Date.UTC(year, month + delta, 1)).toISOString().slice(0, 10);
    }

    shiftMonth(delta) {
        if (!this.canShiftMonth(delta)) {
            return;
        }
        this.month = this.shiftedMonth(delta);
        this.day = null;
        this.showMonth({ autoSelect: true });
    }

    monthEnd(month) {
        const [year, monthIndex] = parseKey(month);
        return new Date(Date.UTC(year, monthIndex + 1, 0)).toISOString().slice(0, 10);
    }

    /** Render the month (skeleton first), load its slots, pick a day if none is chosen. */
    async showMonth({ autoSelect = true, force = false } = {}) {
        if (!this.consultant) {
            return;
        }
        if (!this.month) {
            const next = this.consultant.next ? dayKey(new Date(this.consultant.next), this.tz) : this.todayKey();
            this.month = `${next.slice(0, 7)}-01`;
        }
        const counter = ++this.loadCounter;
        const key = [this.consultant.key, this.duration, this.tz, this.month, ...this.teamFilters()].join("|");
        if (force) {
            this.cache.delete(key);
        }
        if (!this.cache.has(key)) {
            this.loading = true;
            this.loadError = "";
            this.slotsByDay = new Map();
            this.renderCalendar();
            this.renderSlots();
            this.updateContent();
            try {
                this.cache.set(key, await this.waitFor(this.fetchSlots()));
            } catch (error) {
                if (counter === this.loadCounter) {
                    this.loading = false;
                    this.loadError = error.message || _t("The free times could not be loaded. Please try again.");
                    this.renderCalendar();
                    this.renderSlots();
                }
                return;
            }
        }
        if (counter !== this.loadCounter) {
            return; // a newer request took over
        }
        this.loading = false;
        this.slotsByDay = this.cache.get(key);
        if (this.slot && !this.findSlot(this.slot.start)) {
            // the chosen time is gone (taken meanwhile, or another duration)
            this.slot = null;
        }
        if (this.day && !this.slotsByDay.has(this.day)) {
            this.day = null;
        }
        if (!this.day && autoSelect) {
            const firstDay = [...this.slotsByDay.keys()].sort()[0];
            if (firstDay) {
                this.day = firstDay;
            } else if (!force && this.canShiftMonth(1) && this.month === `${this.todayKey().slice(0, 7)}-01`) {
                // nothing left this month: show the next one
                this.month = this.shiftedMonth(1);
                return this.showMonth({ autoSelect });
            }
        }
        this.renderCalendar();
        this.renderSlots();
    }

    async fetchSlots() {
        const params = new URLSearchParams({
            ...(this.consultant.team
                ? { team: this.consultant.team, ...Object.fromEntries(this.teamFilterEntries()) }
                : { consultant: this.consultant.id }),
            duration: this.duration,
            start: this.month,
            end: this.monthEnd(this.month),
            tz: this.tz,
            lang: this.language,
        });
        let response;
        try {
            response = await fetch(`${this.slotsUrl}?${params}`, {
                headers: { Accept: "application/json" },
                credentials: "same-origin",
            });
        } catch {
            throw new Error(_t("The free times could not be loaded. Check your connection and try again."));
        }
        const data = await response.json().catch(() => null);
        if (!response.ok || !data) {
            throw new Error(data?.error?.message || _t("The free times could not be loaded. Please try again."));
        }
        const byDay = new Map();
        for (const slot of data.slots) {
            const key = slot.local_start.slice(0, 10);
            if (!byDay.has(key)) {
                byDay.set(key, []);
            }
            byDay.get(key).push({ start: slot.start, end: slot.end });
        }
        return byDay;
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

    teamFilters() {
        return this.teamFilterEntries().map(([name, value]) => `${name}=${value}`);
    }

    findSlot(start) {
        const startTime = new Date(start).getTime();
        for (const slots of this.slotsByDay.values()) {
            const found = slots.find((slot) => new Date(slot.start).getTime() === startTime);
            if (found) {
                return found;
            }
        }
        return null;
    }

    renderCalendar() {
        const names = keyFormatters(this.locale);
        this.el.querySelector(".o_vbw_month_title").textContent = names.month.format(keyDate(this.month));
        const first = firstDayOfWeek(this.locale);
        const gridStart = addDays(this.month, -((isoWeekday(this.month) - first + 7) % 7));
        const headRow = this.el.querySelector(".o_vbw_weekdays");
        if (headRow.dataset.first !== String(first)) {
            headRow.replaceChildren(
                ...[0, 1, 2, 3, 4, 5, 6].map((offset) => {
                    const date = keyDate(addDays(gridStart, offset));
                    const th = document.createElement("th");
                    th.scope = "col";
                    th.className = "o_vbw_weekday";
                    const abbr = document.createElement("abbr");
                    abbr.title = names.weekdayLong.format(date);
                    abbr.textContent = names.weekdayShort.format(date);
                    th.append(abbr);
                    return th;
                })
            );
            headRow.dataset.first = String(first);
        }
        const today = this.todayKey();
        const monthPrefix = this.month.slice(0, 7);
        const focusKey = this.day || [...this.slotsByDay.keys()].sort()[0];
        const rows = [];
        for (let week = 0; week < 6; week++) {
            const tr = document.createElement("tr");
            for (let weekday = 0; weekday < 7; weekday++) {
                const key = addDays(gridStart, week * 7 + weekday);
                const td = document.createElement("td");
                td.setAttribute("role", "gridcell");
                if (key.slice(0, 7) === monthPrefix) {
                    const free = this.slotsByDay.get(key)?.length || 0;
                    const button = document.createElement("button");
                    button.type = "button";
                    button.className = "o_vbw_day";
                    button.dataset.day = key;
                    button.textContent = String(parseKey(key)[2]);
                    button.classList.toggle("o_vbw_day_free", free > 0);
                    button.classList.toggle("o_vbw_day_today", key === today);
                    button.classList.toggle("o_vbw_day_selected", key === this.day);
                    button.classList.toggle("o_vbw_day_loading", this.loading);
                    button.disabled = !free;
                    button.tabIndex = key === focusKey ? 0 : -1;
                    button.setAttribute("aria-pressed", key === this.day ? "true" : "false");
                    const label = names.full.format(keyDate(key));
                    button.setAttribute(
                        "aria-label",
                        free ? _t("%(day)s, %(count)s free times", { day: label, count: free }) : label
                    );
                    td.append(button);
                }
                tr.append(td);
            }
            rows.push(tr);
        }
        this.el.querySelector(".o_vbw_weeks").replaceChildren(...rows);
    }

    renderSlots() {
        const container = this.el.querySelector(".o_vbw_slots");
        const status = this.el.querySelector(".o_vbw_slots_status");
        const title = this.el.querySelector(".o_vbw_day_title");
        const names = keyFormatters(this.locale);
        if (this.loading) {
            title.textContent = _t("Loading free times…");
            status.textContent = "";
            container.replaceChildren(
                ...Array.from({ length: SKELETON_SLOTS }, () => {
                    const placeholder = document.createElement("span");
                    placeholder.className = "o_vbw_slot o_vbw_slot_skeleton placeholder-glow";
                    placeholder.setAttribute("aria-hidden", "true");
                    placeholder.innerHTML = '<span class="placeholder col-8"></span>';
                    return placeholder;
                })
            );
            return;
        }
        if (this.loadError) {
            title.textContent = _t("Free times");
            container.replaceChildren();
            status.textContent = this.loadError;
            return;
        }
        const slots = (this.day && this.slotsByDay.get(this.day)) || [];
        if (!this.day) {
            title.textContent = this.slotsByDay.size ? _t("Choose a day") : _t("No free times this month");
            status.textContent = this.slotsByDay.size
                ? ""
                : this.canShiftMonth(1)
                  ? _t("Try the next month.")
                  : _t("There are no free times in this period.");
            container.replaceChildren();
            return;
        }
        title.textContent = names.dayTitle.format(keyDate(this.day));
        status.textContent = "";
        const clientFormat = formatters(this.locale, this.tz).time;
        const consultantFormat =
            this.consultant.tz && this.consultant.tz !== this.tz ? formatters(this.locale, this.consultant.tz).time : null;
        const selectedTime = this.slot ? new Date(this.slot.start).getTime() : null;
        container.replaceChildren(
            ...slots.map((slot) => {
                const start = new Date(slot.start);
                const button = document.createElement("button");
                button.type = "button";
                button.className = "o_vbw_slot btn";
                button.dataset.start = slot.start;
                button.dataset.end = slot.end;
                const selected = start.getTime() === selectedTime;
                button.classList.toggle("btn-primary", selected);
                button.classList.toggle("btn-outline-primary", !selected);
                button.setAttribute("aria-pressed", selected ? "true" : "false");
                const main = document.createElement("span");
                main.className = "o_vbw_slot_time";
                main.textContent = clientFormat.format(start);
                button.append(main);
                if (consultantFormat && consultantFormat.format(start) !== main.textContent) {
                    const other = document.createElement("span");
                    other.className = "o_vbw_slot_other";
                    other.textContent = consultantFormat.format(start);
                    other.setAttribute("aria-hidden", "true");
                    button.append(other);
                    button.setAttribute(
                        "aria-label",
                        _t("%(time)s (%(consultantTime)s for %(name)s)", {
                            time: main.textContent,
                            consultantTime: other.textContent,
                            name: this.consultant.name,
                        })
                    );
                }
                return button;
            })
        );
    }

    onDayClick(ev) {
        const button = ev.target.closest(".o_vbw_day");
        if (!button || button.disabled) {
            return;
        }
        this.day = button.dataset.day;
        this.renderCalendar();
        this.renderSlots();
        this.el.querySelector(`.o_vbw_day[data-day='${this.day}']`)?.focus();
        if (ev.detail && window.matchMedia("(max-width: 991.98px)").matches) {
            // a tap on a phone: bring the day's times into view (keyboard users keep their place)
            this.el.querySelector(".o_vbw_day_title").scrollIntoView({ block: "start", behavior: "smooth" });
        }
    }

    onGridKeydown(ev) {
        const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
        const current = ev.target.closest(".o_vbw_day");
        if (!current) {
            return;
        }
        const days = [...this.el.querySelectorAll(".o_vbw_day:not([disabled])")];
        let target = null;
        if (ev.key in moves) {
            const wanted = addDays(current.dataset.day, moves[ev.key]);
            target = this.el.querySelector(`.o_vbw_day[data-day='${wanted}']:not([disabled])`);
            if (!target && Math.abs(moves[ev.key]) === 1) {
                const index = days.indexOf(current);
                target = days[index + moves[ev.key]] || null;
            }
        } else if (ev.key === "Home") {
            target = days[0];
        } else if (ev.key === "End") {
            target = days[days.length - 1];
        } else {
            return;
        }
        ev.preventDefault();
        if (target) {
            for (const day of days) {
                day.tabIndex = day === target ? 0 : -1;
            }
            target.focus();
        }
    }

    onSlotClick(ev) {
        const button = ev.target.closest(".o_vbw_slot[data-start]");
        if (!button) {
            return;
        }
        this.slot = { start: button.dataset.start, end: button.dataset.end };
        for (const other of this.el.querySelectorAll(".o_vbw_slot[data-start]")) {
            const selected = other === button;
            other.classList.toggle("btn-primary", selected);
            other.classList.toggle("btn-outline-primary", !selected);
            other.setAttribute("aria-pressed", selected ? "true" : "false");
        }
        const { time } = formatters(this.locale, this.tz);
        this.el.querySelector(".o_vbw_announce").textContent = _t("%(time)s selected. Continue to your details.", {
            time: time.format(new Date(this.slot.start)),
        });
    }

    // ------------------------------------------------------------------
    // Details (step 3)
    // ------------------------------------------------------------------

    fillSummary() {
        this.el.querySelector(".o_vbw_summary").classList.remove("o_vbw_summary_stale");
        const start = new Date(this.slot.start);
        const end = new Date(this.slot.end);
        const client = formatters(this.locale, this.tz);
        const summary = this.el.querySelector(".o_vbw_summary");
        summary.querySelector(".o_vbw_summary_consultant").textContent = this.consultant.name;
        summary.querySelector(".o_vbw_summary_when").textContent = _t("%(day)s, %(start)s – %(end)s (%(zone)s)", {
            day: client.longDay.format(start),
            start: client.time.format(start),
            end: client.time.format(end),
            zone: this.tz.replaceAll("_", " "),
        });
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
                return EMAIL_RE.test(value) ? "" : _t("Please enter a valid email address, like name@example.com.");
            case "phone":
                return !value || PHONE_RE.test(value) ? "" : _t("Please enter a valid phone number.");
            case "website":
                return !value || WEBSITE_RE.test(value) ? "" : _t("Please enter a valid website, like www.example.com.");
            case "terms_accepted":
                return value ? "" : _t("Please accept the terms and conditions.");
            case "privacy_accepted":
                return value ? "" : _t("Please accept the privacy policy.");
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
        for (const [name, message] of Object.entries(error.fields)) {
            if (!NON_FORM_FIELDS.includes(name) && this.setFieldError(name, message)) {
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
        this.slot = null;
        for (const key of [...this.cache.keys()]) {
            if (key.startsWith(`${this.consultant.key}|`)) {
                this.cache.delete(key);
            }
        }
        const { dayMonth, time } = formatters(this.locale, this.tz);
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
        this.el.querySelector(".o_vbw_to_details").disabled = true;
        this.showMonth({ force: true, autoSelect: false });
    }

    hideConflict() {
        this.el.querySelector(".o_vbw_conflict")?.classList.add("d-none");
    }

    onAlternativeClick(ev) {
        const button = ev.target.closest(".o_vbw_alternative");
        if (!button) {
            return;
        }
        this.slot = { start: button.dataset.start, end: button.dataset.end };
        this.day = dayKey(new Date(this.slot.start), this.tz);
        this.month = `${this.day.slice(0, 7)}-01`;
        this.hideConflict();
        this.fillSummary();
        this.showMonth({ autoSelect: false });
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
