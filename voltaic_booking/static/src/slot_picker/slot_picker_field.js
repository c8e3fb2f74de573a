import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * Picks a slot among live options computed on the server.
 *
 * The char field holds the chosen slot start (UTC ISO 8601); the options
 * (`[{value, label, day}]`, labels already in the client's time zone) come
 * from the JSON field named by the `options_field` option.
 */
export class SlotPickerField extends Component {
    static template = "voltaic_booking.SlotPickerField";
    static props = {
        ...standardFieldProps,
        optionsField: { type: String },
    };

    get value() {
        return this.props.record.data[this.props.name] || false;
    }

    get days() {
        const days = [];
        for (const option of this.props.record.data[this.props.optionsField] || []) {
            let day = days.at(-1);
            if (!day || day.label !== option.day) {
                day = { label: option.day, options: [] };
                days.push(day);
            }
            day.options.push(option);
        }
        return days;
    }

    get selectedLabel() {
        const option = (this.props.record.data[this.props.optionsField] || []).find(
            (option) => option.value === this.value
        );
        return option ? `${option.day} ${option.label}` : "";
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
        return { optionsField: options.options_field || "slot_options" };
    },
    fieldDependencies: ({ options }) => [
        { name: options.options_field || "slot_options", type: "json" },
    ],
};

registry.category("fields").add("vb_slot_picker", slotPickerField);
