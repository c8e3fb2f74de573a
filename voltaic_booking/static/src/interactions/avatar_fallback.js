import { registry } from "@web/core/registry";
import { Interaction } from "@web/public/interaction";

/**
 * A consultant's picture that fails to load leaves their initials visible
 * (profile and confirmation pages; the booking wizard handles its own).
 */
export class VoltaicAvatarFallback extends Interaction {
    static selector = ".o_vbw_page .o_vbw_avatar";

    dynamicContent = {
        "img.o_vbw_photo": { "t-on-error.withTarget": (ev, img) => this.hide(img) },
    };

    start() {
        if (this.el.closest(".o_vbw_wizard")) {
            return;
        }
        for (const img of this.el.querySelectorAll("img.o_vbw_photo")) {
            if (img.complete && !img.naturalWidth) {
                this.hide(img);
            }
        }
    }

    hide(img) {
        if (!this.el.closest(".o_vbw_wizard")) {
            img.classList.add("d-none");
        }
    }
}

registry.category("public.interactions").add("voltaic_booking.avatar_fallback", VoltaicAvatarFallback);
