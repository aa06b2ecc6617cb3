import { stepUtils } from "@web_tour/tour_service/tour_utils";

/** The steps that open the Loyalty app from the home menu, on its dashboard. */
export function openLoyaltyApp() {
    return [
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='crm_loyalty.menu_loyalty_root']",
            content: "Open the Loyalty app",
            run: "click",
        },
        {
            trigger: ".o_loyalty_dashboard .o_loyalty_kpi_customers",
            content: "The app opens on the loyalty dashboard",
        },
    ];
}

/**
 * Asks the test case for a screenshot NAME.png and gives it the time to take it before the
 * tour moves on (the browser captures the page asynchronously).
 */
export async function screenshot(name) {
    console.log(`crm_loyalty:screenshot:${name}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
}
