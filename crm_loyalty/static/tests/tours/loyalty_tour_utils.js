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

/** The steps that open the care rules from the Loyalty app. */
export function openCareRules() {
    return [
        {
            trigger: "button[data-menu-xmlid='crm_loyalty.menu_loyalty_care']",
            content: "Open the care menu",
            run: "click",
        },
        {
            trigger: "a[data-menu-xmlid='crm_loyalty.menu_loyalty_care_rules']",
            content: "Open the care rules",
            run: "click",
        },
    ];
}

/** The steps that open the customer NAME from the Loyalty app's customer list. */
export function openCustomer(name) {
    return [
        {
            trigger: "a[data-menu-xmlid='crm_loyalty.menu_loyalty_customers']",
            content: "Open the customers",
            run: "click",
        },
        {
            trigger: `.o_list_view .o_data_row td[name='complete_name']:contains('${name}')`,
            content: "Open a customer",
            run: "click",
        },
    ];
}

/** The steps that run the open care rule now and see it care for one customer. */
export function runRuleNow() {
    return [
        {
            trigger: ".o_form_view button[name='action_run']",
            content: "Run the rule now",
            run: "click",
        },
        {
            trigger: ".modal-footer .btn-primary",
            content: "Confirm",
            run: "click",
        },
        {
            trigger: ".oe_stat_button:contains('Done'):contains('1')",
            content: "The customer was cared for",
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
