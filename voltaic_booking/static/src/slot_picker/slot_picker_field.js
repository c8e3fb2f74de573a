import { Component, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { localization } from "@web/core/l10n/localization";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

const { DateTime, Info } = luxon;

/**
 * Picks a slot among live options computed on the server: a compact month
 * (days with free times marked) beside the chosen day's times.
 *
 * The char field holds the chosen slot start (UTC ISO 8601); the options
 * (`[{value, label, day, date}]`, labels already in the client's time zone and
 * the user's language) come from the JSON field named by `options_field`: the
 * free times of the month of the date field named by `date_field`, which the
 * month arrows move, never before the current month in the client's time zone
 * (the selection field named by `tz_field`).
 */
export class SlotPickerField extends Component {
    static template = "voltaic_booking.SlotPickerField";
    static props = {
        ...standardFieldProps,
        optionsField: { type: String },
        dateField: { type: String },
        tzField: { type: String },
    };

    setup() {
        this.state = useState({ day: null });
    }

    get value() {
        return this.props.record.data[this.props.name] || false;
    }

    get options() {
        return this.props.record.data[this.props.optionsField] || [];
    }

    get selectedOption() {
        return this.options.find((option) => option.value === this.value);
    }

    get hasConsultant() {
        const consultant = this.props.record.data.consultant_id;
        return consultant === undefined || Boolean(consultant && consultant.id);
    }

    get month() {
        const date = this.props.record.data[this.props.dateField];
        return (date || DateTime.local()).startOf("month");
    }

    get monthTitle() {
        return this.month.toFormat("LLLL yyyy");
    }

    get optionsByDate() {
        const byDate = {};
        for (const option of this.options) {
            (byDate[option.date] ||= []).push(option);
        }
        return byDate;
    }

    /** The day whose times are shown: the one clicked, else the chosen slot's, else the first free one. */
    get activeDay() {
        const byDate = this.optionsByDate;
        if (this.state.day && byDate[this.state.day]) {
            return this.state.day;
        }
        if (this.selectedOption) {
            return this.selectedOption.date;
        }
        const selected = this.props.record.data[this.props.dateField];
        const wanted = selected && selected.toISODate();
        return byDate[wanted] ? wanted : Object.keys(byDate).sort()[0] || null;
    }

    get activeOptions() {
        return this.optionsByDate[this.activeDay] || [];
    }

    get activeDayLabel() {
        return this.activeOptions.length ? this.activeOptions[0].day : "";
    }

    get weekdays() {
        const names = Info.weekdays("short", { locale: this.month.locale });
        const start = localization.weekStart || 1;
        return [...Array(7).keys()].map((offset) => names[(start - 1 + offset) % 7]);
    }

    get weeks() {
        const start = localization.weekStart || 1;
        const first = this.month;
        const shift = (first.weekday - start + 7) % 7;
        const byDate = this.optionsByDate;
        const weeks = [];
        let cursor = first.minus({ days: shift });
        while (cursor <= first.endOf("month") || weeks.length === 0) {
            const week = [];
            for (let i = 0; i < 7; i++) {
                const iso = cursor.toISODate();
                week.push({
                    iso,
                    number: cursor.day,
                    inMonth: cursor.month === first.month,
                    free: Boolean(byDate[iso]),
                    active: iso === this.activeDay,
                    chosen: this.selectedOption && this.selectedOption.date === iso,
                    label: cursor.toLocaleString(DateTime.DATE_HUGE),
                });
                cursor = cursor.plus({ days: 1 });
            }
            weeks.push(week);
        }
        return weeks;
    }

    /** No month before the client's current one: "today" in the client's time zone, not the user's. */
    get canGoBack() {
        const zone = this.props.record.data[this.props.tzField];
        let today = DateTime.now().setZone(zone || "UTC");
        if (!today.isValid) {
            today = DateTime.now().setZone("UTC");
        }
        return this.month.year * 12 + this.month.month > today.year * 12 + today.month;
    }

    get selectedLabel() {
        const option = this.selectedOption;
        return option ? `${option.day}, ${option.label}` : "";
    }

    get noTimesText() {
        if (!this.hasConsultant) {
            return _t("Choose a consultant to see their free times.");
        }
        return _t("No free times in %(month)s.", { month: this.monthTitle });
    }

    onDay(day) {
        if (day.free) {
            this.state.day = day.iso;
        }
    }

    async onMonth(delta) {
        this.state.day = null;
        await this.props.record.update({ [this.props.dateField]: this.month.plus({ months: delta }) });
    }

    onPick(value) {
        this.props.record.update({ [this.props.name]: value });
    }
}

export const slotPickerField = {
    component: SlotPickerField,
    displayName: _t("Slot Picker"),
    supportedTypes: ["char"],
    extractProps({ options }) {
        return {
            optionsField: options.options_field || "slot_options",
            dateField: options.date_field || "slot_date",
            tzField: options.tz_field || "client_tz",
        };
    },
    fieldDependencies: ({ options }) => [
        { name: options.options_field || "slot_options", type: "json" },
        { name: options.date_field || "slot_date", type: "date" },
        { name: options.tz_field || "client_tz", type: "selection" },
    ],
};

registry.category("fields").add("vb_slot_picker", slotPickerField);
