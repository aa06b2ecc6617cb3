import { registry } from "@web/core/registry";
import { openLoyaltyApp, openCustomer } from "@crm_loyalty/../tests/tours/loyalty_tour_utils";

/**
 * A sales manager opens the Loyalty app and a customer from its list.
 * Steps logging "crm_loyalty:screenshot:<name>" make the test case save a screenshot.
 */
registry.category("web_tour.tours").add("crm_loyalty_open_customer", {
    url: "/odoo",
    steps: () => [
        ...openLoyaltyApp(),
        ...openCustomer("Lotus Tea House"),
        {
            trigger: ".o_form_view .o_field_widget[name='name'] input:value('Lotus Tea House')",
            content: "The customer's form is open",
            run: () => console.log("crm_loyalty:screenshot:customer_form"),
        },
        {
            trigger: ".o_notebook .nav-link:contains('Loyalty')",
            content: "Open the Loyalty tab",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='loyalty_tier_id']:contains('Gold')",
            content: "The customer holds the Gold tier, and the tab says why",
        },
        {
            trigger: ".o_field_widget[name='loyalty_tier_explanation']:contains('Gold')",
            content: "The reason of the tier is explained",
        },
        {
            trigger: ".o_notebook .tab-pane.active div.text-muted:contains('not measured')",
            content: "Never asked: his satisfaction reads “not measured”, not 0",
        },
        {
            trigger: ".o_field_widget[name='rfm_segment_meaning']:not(:empty)",
            content: "The segment is explained",
            run: () => console.log("crm_loyalty:screenshot:loyalty_tab"),
        },
        {
            trigger: "button[name='action_loyalty_recompute']",
            content: "Recompute the customer now",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='loyalty_tier_id']:contains('Gold')",
            content: "Still Gold after the recompute",
        },
        {
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Customers')",
            content: "Back to the customers",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row",
            content: "The customers list is back",
        },
        {
            trigger: "button[data-menu-xmlid='crm_loyalty.menu_loyalty_configuration']",
            content: "Open the configuration menu",
            run: "click",
        },
        {
            trigger: "a[data-menu-xmlid='crm_loyalty.menu_loyalty_settings']",
            content: "Open the loyalty settings",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='loyalty_window_months'] input:value('12')",
            content: "The company's loyalty settings are shown",
        },
        {
            trigger: "button[name='action_loyalty_recompute']",
            content: "Managers can recompute everything from the settings",
            run: () => console.log("crm_loyalty:screenshot:settings"),
        },
    ],
});

/**
 * On a database filled by tools/demo_data.py: a generated customer's orders open in
 * Odoo's own views like any other.
 */
registry.category("web_tour.tours").add("crm_loyalty_demo_data_orders", {
    steps: () => [
        {
            trigger: ".o_form_view button[name='action_view_sale_order']",
            content: "Open the customer's orders",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:first td[name='name']",
            content: "Open the latest order",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='order_line'] .o_data_row",
            content: "The order shows its lines",
            run: () => console.log("crm_loyalty:screenshot:demo_order"),
        },
    ],
});
