import { registry } from "@web/core/registry";
import { openLoyaltyApp } from "@crm_loyalty/tours/loyalty_tour_utils";

/**
 * An administrator creates a birthday rule with an existing action, previews it and runs it.
 */
registry.category("web_tour.tours").add("crm_loyalty_care_rule", {
    url: "/odoo",
    steps: () => [
        ...openLoyaltyApp(),
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
        {
            trigger: ".o_list_button_add, .o-kanban-button-new",
            content: "Create a rule",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='name'] input",
            content: "Name it",
            run: "edit Birthday call",
        },
        {
            trigger: ".o_field_widget[name='days'] input",
            content: "Three days before the birthday",
            run: "edit 3",
        },
        {
            trigger: ".o_field_widget[name='action_server_ids'] .o_field_x2many_list_row_add a",
            content: "Add an action",
            run: "click",
        },
        {
            trigger: ".modal .o_data_row td:contains('Tour: call for the birthday')",
            content: "Pick the call action",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='action_server_ids'] .o_data_row:contains('Tour: call for the birthday')",
            content: "The action is on the rule",
        },
        {
            trigger: ".o_form_button_save",
            content: "Save",
            run: "click",
        },
        {
            trigger: "button.oe_stat_button[name='action_preview']:contains('Eligible Now'):contains('1')",
            content: "One customer has his birthday in three days",
            run: () => console.log("crm_loyalty:screenshot:care_rule"),
        },
        {
            trigger: "button.oe_stat_button[name='action_preview']",
            content: "Preview who would be actioned",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Lotus Tea House')",
            content: "The birthday customer is listed",
        },
        {
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Birthday call')",
            content: "Back to the rule",
            run: "click",
        },
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
    ],
});
