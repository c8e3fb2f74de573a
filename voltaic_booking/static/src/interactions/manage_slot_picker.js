import { Interaction } from "@web/public/interaction";
import { registry } from "@web/core/registry";
import { _t } from "@web/core/l10n/translation";

const RANGE_DAYS = 14;

/**
 * The slot picker of the manage page (reschedule, new time after a missed
 * meeting): free times come live from the public slots API, in the client's
 * time zone; choosing one fills the form's "start" (UTC) and enables submit.
 */
export class BookingSlotPicker extends Interaction {
    static selector = ".o_vb_slot_picker";
    dynamicContent = {
        ".o_vb_slot_days": { "t-on-click": this.onDayClick },
        ".o_vb_slot_times": { "t-on-click": this.onTimeClick },
        ".o_vb_slot_more": { "t-on-click": this.onMoreClick },
    };

    setup() {
        this.consultant = this.el.dataset.consultant;
        this.duration = this.el.dataset.duration;
        this.tz = this.el.dataset.tz || "UTC";
        this.locale = (document.documentElement.lang || "en-US").replace("_", "-");
        this.rangeStart = this.isoDate(new Date());
        this.days = new Map();
        this.daysEl = this.el.querySelector(".o_vb_slot_days");
        this.timesEl = this.el.querySelector(".o_vb_slot_times");
        this.statusEl = this.el.querySelector(".o_vb_slot_status");
        this.moreEl = this.el.querySelector(".o_vb_slot_more");
        this.startInput = this.el.querySelector(".o_vb_slot_start");
        this.chosenEl = this.el.querySelector(".o_vb_slot_chosen");
        this.submitEl = this.el.querySelector(".o_vb_slot_submit");
    }

    async willStart() {
        await this.loadRange();
    }

    isoDate(date) {
        return date.toISOString().slice(0, 10);
    }

    addDays(isoDay, count) {
        const date = new Date(`${isoDay}T12:00:00Z`);
        date.setUTCDate(date.getUTCDate() + count);
        return this.isoDate(date);
    }

    dayLabel(isoDay) {
        return new Intl.DateTimeFormat(this.locale, {
            weekday: "short", day: "numeric", month: "short", timeZone: "UTC",
        }).format(new Date(`${isoDay}T12:00:00Z`));
    }

    timeLabel(utcIso) {
        return new Intl.DateTimeFormat(this.locale, {
            hour: "numeric", minute: "2-digit", timeZone: this.tz,
        }).format(new Date(utcIso));
    }

    fullLabel(utcIso) {
        return new Intl.DateTimeFormat(this.locale, {
            weekday: "long", day: "numeric", month: "long", hour: "numeric", minute: "2-digit", timeZone: this.tz,
        }).format(new Date(utcIso));
    }

    async loadRange() {
        const end = this.addDays(this.rangeStart, RANGE_DAYS - 1);
        const params = new URLSearchParams({
            consultant: this.consultant, duration: this.duration, tz: this.tz, start: this.rangeStart, end,
        });
        this.statusEl.textContent = _t("Loading the free times…");
        let payload;
        try {
            const response = await this.waitFor(fetch(`/api/consultations/slots?${params}`, {
                headers: { Accept: "application/json" },
            }));
            payload = await this.waitFor(response.json());
            if (!response.ok) {
                throw new Error(payload?.error?.message || response.statusText);
            }
        } catch {
            this.statusEl.textContent = _t("The free times could not be loaded. Please reload the page.");
            return;
        }
        this.days = new Map();
        for (const slot of payload.slots || []) {
            const day = slot.local_start.slice(0, 10);
            if (!this.days.has(day)) {
                this.days.set(day, []);
            }
            this.days.get(day).push(slot);
        }
        this.rangeEnd = end;
        this.renderDays();
    }

    renderDays() {
        this.daysEl.replaceChildren();
        this.timesEl.replaceChildren();
        for (const day of this.days.keys()) {
            const button = document.createElement("button");
            button.type = "button";
            button.className = "btn btn-outline-secondary btn-sm o_vb_day";
            button.dataset.day = day;
            button.textContent = this.dayLabel(day);
            this.daysEl.append(button);
        }
        this.moreEl.classList.remove("d-none");
        if (this.days.size) {
            this.statusEl.textContent = _t("Choose a day, then a time.");
            this.selectDay(this.days.keys().next().value);
        } else {
            this.statusEl.textContent = _t("No free time in these two weeks. Try later dates.");
        }
    }

    selectDay(day) {
        for (const button of this.daysEl.querySelectorAll("button")) {
            const active = button.dataset.day === day;
            button.classList.toggle("active", active);
            button.setAttribute("aria-pressed", active ? "true" : "false");
        }
        this.timesEl.replaceChildren();
        for (const slot of this.days.get(day) || []) {
            const button = document.createElement("button");
            button.type = "button";
            button.className = "btn btn-outline-primary btn-sm o_vb_time";
            button.dataset.start = slot.start;
            button.textContent = this.timeLabel(slot.start);
            this.timesEl.append(button);
        }
    }

    onDayClick(ev) {
        const button = ev.target.closest("button[data-day]");
        if (button) {
            this.selectDay(button.dataset.day);
        }
    }

    onTimeClick(ev) {
        const button = ev.target.closest("button[data-start]");
        if (!button) {
            return;
        }
        for (const other of this.timesEl.querySelectorAll("button")) {
            const active = other === button;
            other.classList.toggle("active", active);
            other.setAttribute("aria-pressed", active ? "true" : "false");
        }
        this.startInput.value = button.dataset.start;
        this.chosenEl.textContent = _t("New time: %s", this.fullLabel(button.dataset.start));
        this.chosenEl.classList.remove("d-none");
        this.submitEl.disabled = false;
    }

    async onMoreClick() {
        this.rangeStart = this.addDays(this.rangeEnd, 1);
        this.startInput.value = "";
        this.chosenEl.classList.add("d-none");
        this.submitEl.disabled = true;
        await this.loadRange();
    }
}

registry.category("public.interactions").add("voltaic_booking.manage_slot_picker", BookingSlotPicker);
