import { _t } from "@web/core/l10n/translation";

import {
    addDays,
    dayKey,
    firstDayOfWeek,
    formatters,
    isTimeZone,
    isoWeekday,
    keyDate,
    keyFormatters,
    parseKey,
    rememberHourCycle,
    timeZoneNames,
    uses12Hours,
    zoneLabel,
    zoneRegion,
} from "./booking_dates";

const SKELETON_SLOTS = 8;

/**
 * The month-and-slots picker of the booking page, also used by the manage
 * page to reschedule (one look, one picker): a month calendar, the chosen
 * day's free times (from /api/consultations/slots) in the visitor's time
 * zone, a searchable time-zone list grouped by region and a 12/24-hour
 * switch remembered in the browser. Markup: the template
 * ``voltaic_booking.booking_picker``.
 *
 * Keyboard: the days are one tab stop (arrows move by day and week), the
 * slots are one tab stop (arrows move between them, Home/End to the ends).
 *
 * A plain class over its root element (not an Interaction): the booking
 * wizard and the manage page's interaction own one each and destroy it.
 */
export class SlotPicker {
    /**
     * @param {HTMLElement} el the ``.o_vbw_picker`` root
     * @param {Object} options
     * @param {string} options.locale page locale ("de-DE")
     * @param {string} options.tz the visitor's zone
     * @param {string} options.language "en", "de" (answers of the slots API)
     * @param {string} options.slotsUrl
     * @param {Function} [options.onSelect] called with {start, end} (or null) when the chosen slot changes
     * @param {Function} [options.onZoneChange] called with the new zone
     * @param {Function} [options.onRender] called after each render (e.g. to update the owner's buttons)
     * @param {Function} [options.filters] ``[name, value]`` pairs narrowing a team's members (a team's
     *     card: ``consultant.team`` set; its slots are the union of the matching members' slots)
     */
    constructor(el, { locale, tz, language, slotsUrl, onSelect, onZoneChange, onRender, filters }) {
        this.el = el;
        this.locale = locale;
        this.tz = tz;
        this.language = language;
        this.slotsUrl = slotsUrl;
        this.onSelect = onSelect || (() => {});
        this.onZoneChange = onZoneChange || (() => {});
        this.onRender = onRender || (() => {});
        this.filters = filters || (() => []);
        this.twelve = uses12Hours(locale);
        this.consultant = null; // {id, key, team, name, tz, next, lastDay} (a team: no tz, key "team-<id>")
        this.duration = null;
        this.month = null; // "YYYY-MM-01"
        this.day = null; // "YYYY-MM-DD" in this.tz
        this.slot = null; // {start, end} UTC ISO strings
        this.slotsByDay = new Map();
        this.cache = new Map();
        this.loading = false;
        this.loadError = "";
        this.loadCounter = 0;
        this.listeners = [];
        this.listen(this.q(".o_vbw_month_prev"), "click", () => this.shiftMonth(-1));
        this.listen(this.q(".o_vbw_month_next"), "click", () => this.shiftMonth(1));
        this.listen(this.q(".o_vbw_tz"), "change", (ev) => this.setZone(ev.target.value));
        this.listen(this.q(".o_vbw_tz_search"), "input", (ev) => this.filterZones(ev.target.value));
        this.listen(this.q(".o_vbw_tz_search"), "keydown", (ev) => this.onZoneSearchKeydown(ev));
        for (const input of this.el.querySelectorAll("input.o_vbw_hour_cycle")) {
            input.checked = (input.value === "12") === this.twelve;
            this.listen(input, "change", (ev) => this.setHourCycle(ev.target.value === "12"));
        }
        this.listen(this.q(".o_vbw_weeks"), "click", (ev) => this.onDayClick(ev));
        this.listen(this.q(".o_vbw_weeks"), "keydown", (ev) => this.onGridKeydown(ev));
        this.listen(this.q(".o_vbw_slots"), "click", (ev) => this.onSlotClick(ev));
        this.listen(this.q(".o_vbw_slots"), "keydown", (ev) => this.onSlotKeydown(ev));
    }

    q(selector) {
        return this.el.querySelector(selector);
    }

    listen(target, type, handler) {
        if (target) {
            target.addEventListener(type, handler);
            this.listeners.push([target, type, handler]);
        }
    }

    destroy() {
        for (const [target, type, handler] of this.listeners) {
            target.removeEventListener(type, handler);
        }
        this.listeners = [];
    }

    // ------------------------------------------------------------------
    // What is shown: consultant, duration, zone, clock
    // ------------------------------------------------------------------

    setConsultant(consultant) {
        if (this.consultantKey(this.consultant) !== this.consultantKey(consultant)) {
            this.slot = null;
            this.day = null;
            this.month = null;
        }
        this.consultant = consultant;
    }

    consultantKey(consultant) {
        return consultant ? (consultant.key ?? consultant.id) : null;
    }

    /** What narrows a team's members (none for a consultant). */
    filterEntries() {
        return this.consultant?.team ? this.filters().filter(([, value]) => value) : [];
    }

    setDuration(duration) {
        this.duration = duration;
    }

    /** Fill the zone list once (grouped by region), select the current zone, explain the consultant's. */
    ensureTimeZoneOptions() {
        const select = this.q(".o_vbw_tz");
        if (!select) {
            return;
        }
        if (!select.options.length) {
            const now = new Date();
            const groups = new Map();
            for (const zone of timeZoneNames([this.tz, this.consultant?.tz])) {
                const region = zoneRegion(zone);
                if (!groups.has(region)) {
                    const group = document.createElement("optgroup");
                    group.label = region === "Other" ? _t("Other") : region;
                    groups.set(region, group);
                }
                const option = document.createElement("option");
                option.value = zone;
                option.textContent = zoneLabel(zone, this.locale, now);
                groups.get(region).append(option);
            }
            select.append(...[...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, group]) => group));
        }
        select.value = this.tz;
        this.updateZoneNote();
    }

    /** Narrow the zone list to those matching the typed words (city, name, region or offset). */
    filterZones(text) {
        const select = this.q(".o_vbw_tz");
        const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
        let first = null;
        let shown = 0;
        for (const group of select.querySelectorAll("optgroup")) {
            let groupShown = 0;
            for (const option of group.querySelectorAll("option")) {
                const haystack = `${option.textContent} ${option.value}`.toLowerCase().replaceAll("_", " ");
                const match = words.every((word) => haystack.includes(word));
                option.hidden = !match;
                option.disabled = !match && option.value !== select.value;
                if (match) {
                    groupShown++;
                    first ||= option;
                }
            }
            group.hidden = !groupShown;
            shown += groupShown;
        }
        const status = this.q(".o_vbw_tz_count");
        if (status) {
            status.textContent = words.length ? _t("Time zones found: %s", shown) : "";
        }
        return first;
    }

    onZoneSearchKeydown(ev) {
        if (ev.key === "Enter") {
            ev.preventDefault();
            const first = this.filterZones(ev.target.value);
            if (first) {
                this.q(".o_vbw_tz").value = first.value;
                this.setZone(first.value);
            }
        }
    }

    updateZoneNote() {
        const note = this.q(".o_vbw_consultant_tz");
        if (!note || !this.consultant) {
            return;
        }
        if (this.consultant.team) {
            note.textContent = _t("Times are shown in your time zone.");
            return;
        }
        const zone = this.consultant.tz;
        const now = new Date();
        const same =
            now.toLocaleString("en-US", { timeZone: zone }) === now.toLocaleString("en-US", { timeZone: this.tz });
        note.textContent = same
            ? _t("%(name)s's time zone: %(zone)s, the same time as yours.", {
                  name: this.consultant.name,
                  zone: zoneLabel(zone, this.locale),
              })
            : _t("%(name)s's time zone: %(zone)s. Their local time is shown under each time.", {
                  name: this.consultant.name,
                  zone: zoneLabel(zone, this.locale),
              });
    }

    setZone(zone) {
        if (!isTimeZone(zone) || zone === this.tz) {
            return;
        }
        this.tz = zone;
        this.day = this.slot ? dayKey(new Date(this.slot.start), this.tz) : null;
        this.month = this.day ? `${this.day.slice(0, 7)}-01` : this.month;
        const select = this.q(".o_vbw_tz");
        if (select) {
            select.value = zone;
        }
        this.updateZoneNote();
        this.onZoneChange(zone);
        this.show();
    }

    setHourCycle(twelve) {
        this.twelve = twelve;
        rememberHourCycle(twelve);
        this.renderSlots();
        this.onZoneChange(this.tz);
    }

    /** The zone as a person reads it, e.g. for "Next available" and the summary. */
    zoneText() {
        return zoneLabel(this.tz, this.locale);
    }

    formatters(zone = this.tz) {
        return formatters(this.locale, zone, this.twelve);
    }

    // ------------------------------------------------------------------
    // Months
    // ------------------------------------------------------------------

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
        this.show({ autoSelect: true });
    }

    monthEnd(month) {
        const [year, monthIndex] = parseKey(month);
        return new Date(Date.UTC(year, monthIndex + 1, 0)).toISOString().slice(0, 10);
    }

    /** Forget the loaded months of the consultant (e.g. after a slot was taken). */
    clearCache() {
        if (!this.consultant) {
            return;
        }
        for (const key of [...this.cache.keys()]) {
            if (key.startsWith(`${this.consultantKey(this.consultant)}|`)) {
                this.cache.delete(key);
            }
        }
    }

    /** Choose a slot from outside (an alternative offered after a conflict) and show its day. */
    choose(slot) {
        this.slot = slot;
        this.day = dayKey(new Date(slot.start), this.tz);
        this.month = `${this.day.slice(0, 7)}-01`;
        this.onSelect(slot);
    }

    /** Render the month (skeleton first), load its slots, pick a day if none is chosen. */
    async show({ autoSelect = true, force = false } = {}) {
        if (!this.consultant) {
            return;
        }
        this.ensureTimeZoneOptions();
        if (!this.month) {
            const next = this.consultant.next ? dayKey(new Date(this.consultant.next), this.tz) : this.todayKey();
            this.month = `${next.slice(0, 7)}-01`;
        }
        const counter = ++this.loadCounter;
        const key = [
            this.consultantKey(this.consultant),
            this.duration,
            this.tz,
            this.month,
            ...this.filterEntries().map(([name, value]) => `${name}=${value}`),
        ].join("|");
        if (force) {
            this.cache.delete(key);
        }
        if (!this.cache.has(key)) {
            this.loading = true;
            this.loadError = "";
            this.slotsByDay = new Map();
            this.render();
            try {
                this.cache.set(key, await this.fetchSlots());
            } catch (error) {
                if (counter === this.loadCounter) {
                    this.loading = false;
                    this.loadError = error.message || _t("The free times could not be loaded. Please try again.");
                    this.render();
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
            this.onSelect(null);
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
                return this.show({ autoSelect });
            }
        }
        this.render();
    }

    async fetchSlots() {
        const params = new URLSearchParams({
            ...(this.consultant.team
                ? { team: this.consultant.team, ...Object.fromEntries(this.filterEntries()) }
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

    // ------------------------------------------------------------------
    // Rendering
    // ------------------------------------------------------------------

    render() {
        this.renderCalendar();
        this.renderSlots();
        const prev = this.q(".o_vbw_month_prev");
        const next = this.q(".o_vbw_month_next");
        if (prev) {
            prev.disabled = !this.canShiftMonth(-1);
        }
        if (next) {
            next.disabled = !this.canShiftMonth(1);
        }
        this.q(".o_vbw_slots")?.setAttribute("aria-busy", this.loading ? "true" : "false");
        this.onRender();
    }

    renderCalendar() {
        const names = keyFormatters(this.locale);
        this.q(".o_vbw_month_title").textContent = names.month.format(keyDate(this.month));
        const first = firstDayOfWeek(this.locale);
        const gridStart = addDays(this.month, -((isoWeekday(this.month) - first + 7) % 7));
        const headRow = this.q(".o_vbw_weekdays");
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
        this.q(".o_vbw_weeks").replaceChildren(...rows);
    }

    renderSlots() {
        const container = this.q(".o_vbw_slots");
        const status = this.q(".o_vbw_slots_status");
        const title = this.q(".o_vbw_day_title");
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
        const clientFormat = this.formatters().time;
        const otherZone = this.consultant.tz && this.consultant.tz !== this.tz ? this.consultant.tz : null;
        const consultantFormats = otherZone ? this.formatters(otherZone) : null;
        const selectedTime = this.slot ? new Date(this.slot.start).getTime() : null;
        const buttons = slots.map((slot) => {
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
            button.tabIndex = -1;
            const main = document.createElement("span");
            main.className = "o_vbw_slot_time";
            main.textContent = clientFormat.format(start);
            button.append(main);
            if (consultantFormats) {
                let other = consultantFormats.time.format(start);
                if (other !== main.textContent) {
                    // the consultant's local time, with its date when their day differs
                    if (dayKey(start, otherZone) !== this.day) {
                        other = `${consultantFormats.dayMonth.format(start)}, ${other}`;
                    }
                    // read as "10:00, 16:00 for Anna Weber": the visible times first, in order (the
                    // accessible name comes from the content, so it always matches what is seen)
                    const otherEl = document.createElement("span");
                    otherEl.className = "o_vbw_slot_other";
                    otherEl.textContent = other;
                    const forName = document.createElement("span");
                    forName.className = "visually-hidden";
                    forName.textContent = " " + _t("for %(name)s", { name: this.consultant.name });
                    const comma = document.createElement("span");
                    comma.className = "visually-hidden";
                    comma.textContent = ", ";
                    button.append(comma, otherEl, forName);
                }
            }
            return button;
        });
        // one tab stop: the chosen slot, else the first
        const tabStop = buttons.find((button) => button.getAttribute("aria-pressed") === "true") || buttons[0];
        if (tabStop) {
            tabStop.tabIndex = 0;
        }
        container.replaceChildren(...buttons);
    }

    // ------------------------------------------------------------------
    // Days and slots: mouse and keyboard
    // ------------------------------------------------------------------

    onDayClick(ev) {
        const button = ev.target.closest(".o_vbw_day");
        if (!button || button.disabled) {
            return;
        }
        this.day = button.dataset.day;
        this.render();
        this.q(`.o_vbw_day[data-day='${this.day}']`)?.focus();
        if (ev.detail && window.matchMedia("(max-width: 991.98px)").matches) {
            // a tap on a phone: bring the day's times into view (keyboard users keep their place)
            this.q(".o_vbw_day_title").scrollIntoView({ block: "start", behavior: "smooth" });
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
            target = this.q(`.o_vbw_day[data-day='${wanted}']:not([disabled])`);
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

    /** Arrows move between the slots (a roving tab stop): left/right by one, up/down by a row. */
    onSlotKeydown(ev) {
        const current = ev.target.closest(".o_vbw_slot[data-start]");
        if (!current) {
            return;
        }
        const slots = [...this.el.querySelectorAll(".o_vbw_slot[data-start]")];
        const index = slots.indexOf(current);
        const columns = Math.max(1, slots.filter((slot) => slot.offsetTop === slots[0].offsetTop).length);
        const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -columns, ArrowDown: columns };
        let target = null;
        if (ev.key in moves) {
            target = slots[Math.min(slots.length - 1, Math.max(0, index + moves[ev.key]))];
        } else if (ev.key === "Home") {
            target = slots[0];
        } else if (ev.key === "End") {
            target = slots[slots.length - 1];
        } else {
            return;
        }
        ev.preventDefault();
        for (const slot of slots) {
            slot.tabIndex = slot === target ? 0 : -1;
        }
        target.focus();
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
            other.tabIndex = selected ? 0 : -1;
        }
        this.onSelect(this.slot);
    }
}
