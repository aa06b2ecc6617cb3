import { registry } from "@web/core/registry";
import { openLoyaltyApp, screenshot } from "@crm_loyalty/../tests/tours/loyalty_tour_utils";

registry.category("web_tour.tours").add("crm_loyalty_cohort", {
    steps: () => [
        ...openLoyaltyApp(),
        {
            trigger: "button[data-menu-xmlid='crm_loyalty.menu_loyalty_reporting']",
            content: "Open the reports",
            run: "click",
        },
        {
            trigger: "a[data-menu-xmlid='crm_loyalty.menu_loyalty_report_cohort']",
            content: "Open Retention by Cohort",
            run: "click",
        },
        {
            trigger: ".o_pivot tbody th.o_pivot_header_cell_closed",
            content: "A row per cohort: the month of the customers' first purchase",
        },
        {
            // the cohort of two customers: both bought in their first month, one of them the month after
            trigger: ".o_pivot tbody tr:has(th.o_pivot_header_cell_closed) td:contains('100.0') ~ td:contains('50.0')",
            content: "Month 0: 100 % still buying; month 1: 50 %",
            run: () => screenshot("cohort"),
        },
    ],
});
