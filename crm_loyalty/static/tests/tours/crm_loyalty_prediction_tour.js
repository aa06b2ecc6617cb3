import { registry } from "@web/core/registry";
import { openLoyaltyApp } from "@crm_loyalty/../tests/tours/loyalty_tour_utils";

/**
 * A loyalty user opens Reporting → Prediction Quality: the grade, the figures and the
 * chart of predicted against actual purchases per decile.
 * The step logging "crm_loyalty:screenshot:prediction_quality" makes the test case save a screenshot.
 */
registry.category("web_tour.tours").add("crm_loyalty_prediction_quality", {
    url: "/odoo",
    steps: () => [
        ...openLoyaltyApp(),
        {
            trigger: "button[data-menu-xmlid='crm_loyalty.menu_loyalty_reporting']",
            content: "Open the reports",
            run: "click",
        },
        {
            trigger: "a[data-menu-xmlid='crm_loyalty.menu_loyalty_prediction_quality']",
            content: "Open the prediction quality",
            run: "click",
        },
        {
            trigger: ".o_loyalty_prediction_quality:contains('Grade')",
            content: "The grade of the models and its rule",
        },
        {
            trigger: ".o_loyalty_prediction_quality .o_loyalty_backtest_chart tr:nth-child(10)",
            content: "Ten deciles of predicted against actual purchases",
            run: () => console.log("crm_loyalty:screenshot:prediction_quality"),
        },
    ],
});
