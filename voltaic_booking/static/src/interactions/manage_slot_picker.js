import { Interaction } from "@web/public/interaction";
import { registry } from "@web/core/registry";
import { _t } from "@web/core/l10n/translation";

import { pageLocale } from "./booking_dates";
import { SlotPicker } from "./booking_picker";

/**
 * The slot picker of the manage page (reschedule, new time after a missed
 * meeting): the booking page's month-and-slots picker (booking_picker.js),
 * in the client's time zone, which they may change. Choosing a time fills
 * the form's "start" (UTC), shows the old time struck through next to the
 * new one and enables submit.
 */
export class BookingSlotPicker extends Interaction {
    static selector = ".o_vb_slot_picker";

    setup() {
        const data = this.el.dataset;
        this.startInput = this.el.querySelector(".o_vb_slot_start");
        this.chosenEl = this.el.querySelector(".o_vb_slot_chosen");
        this.submitEl = this.el.querySelector(".o_vb_slot_submit");
        this.picker = new SlotPicker(this.el.querySelector(".o_vbw_picker"), {
            locale: pageLocale(),
            tz: data.tz || "UTC",
            language: data.lang || "en",
            slotsUrl: "/api/consultations/slots",
            onSelect: (slot) => this.onSelect(slot),
        });
        this.picker.setConsultant({
            id: Number(data.consultant),
            name: data.consultantName || "",
            tz: data.consultantTz || "UTC",
            next: "",
            lastDay: data.lastDay || "",
        });
        this.picker.setDuration(Number(data.duration));
        this.registerCleanup(() => this.picker.destroy());
    }

    start() {
        this.picker.show();
    }

    onSelect(slot) {
        this.startInput.value = slot?.start || "";
        this.submitEl.disabled = !slot;
        this.chosenEl.classList.toggle("d-none", !slot);
        if (slot) {
            const start = new Date(slot.start);
            const { longDay, time } = this.picker.formatters();
            this.chosenEl.querySelector(".o_vb_slot_new").textContent = _t("%(day)s, %(time)s", {
                day: longDay.format(start),
                time: time.format(start),
            });
        }
    }
}

/**
 * Links to the manage page ending in ``#reschedule`` or ``#cancel`` (mails, confirmation page)
 * open that section.
 */
export class ManageAnchors extends Interaction {
    static selector = ".o_vb_manage";
    dynamicContent = {
        _window: { "t-on-hashchange": this.openFromHash },
    };

    start() {
        this.openFromHash();
    }

    openFromHash() {
        const section = { "#reschedule": "reschedule", "#cancel": "cancel" }[window.location.hash];
        const button = section && this.el.querySelector(`.o_vb_open_${section}`);
        if (!button) {
            return;
        }
        if (button.classList.contains("collapsed")) {
            button.click();
        }
        button.scrollIntoView({ block: "start" });
        button.focus({ preventScroll: true });
    }
}

registry.category("public.interactions").add("voltaic_booking.manage_slot_picker", BookingSlotPicker);
registry.category("public.interactions").add("voltaic_booking.manage_anchors", ManageAnchors);
