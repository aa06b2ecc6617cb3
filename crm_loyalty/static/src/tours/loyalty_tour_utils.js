import { stepUtils } from "@web_tour/tour_service/tour_utils";

/** The steps that open the Loyalty app from the home menu. */
export function openLoyaltyApp() {
    return [
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='crm_loyalty.menu_loyalty_root']",
            content: "Open the Loyalty app",
            run: "click",
        },
    ];
}
