import { registry } from "@web/core/registry";
import { openLoyaltyApp } from "@crm_loyalty/../tests/tours/loyalty_tour_utils";

/**
 * A loyalty manager logs a customer's complaint, works on it, resolves it and closes it.
 * The step logging "crm_loyalty:screenshot:complaint_form" makes the test case save a screenshot.
 */
registry.category("web_tour.tours").add("crm_loyalty_complaint", {
    url: "/odoo",
    steps: () => [
        ...openLoyaltyApp(),
        {
            trigger: "a[data-menu-xmlid='crm_loyalty.menu_loyalty_complaints']",
            content: "Open the complaints desk",
            run: "click",
        },
        {
            trigger: ".o_kanban_view .o_kanban_group",
            content: "The desk shows the complaints by status",
        },
        {
            trigger: ".o-kanban-button-new",
            content: "Log a new complaint",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='subject'] input",
            content: "Say what it is about",
            run: "edit The tea arrived damaged",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id'] input",
            content: "Pick the customer",
            run: "edit Lotus Tea",
        },
        {
            trigger: ".o-autocomplete--dropdown-menu .dropdown-item:contains('Lotus Tea House')",
            content: "The customer is proposed",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='severity'] select",
            content: "A high severity gives a one-day deadline",
            run: 'select "high"',
        },
        {
            trigger: ".o_form_view button[name='action_start']",
            content: "Start working on it (the complaint is saved)",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('In Progress')",
            content: "The complaint is in progress",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='name']:contains('CMP/')",
            content: "It has a reference number",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='sla_status']:contains(' h left')",
            content: "The deadline says how many hours are left",
        },
        {
            trigger: ".o_notebook .nav-link:contains('Resolution')",
            content: "Open the resolution",
            run: "click",
        },
        {
            trigger: ".o_field_html[name='resolution'] .odoo-editor-editable",
            content: "Describe what was done",
            run: "editor A new box was sent the next morning, free of charge.",
        },
        {
            trigger: ".o_field_html[name='resolution'] .odoo-editor-editable:contains('new box')",
            content: "The resolution is written",
        },
        {
            trigger: ".o_form_view button[name='action_resolve']",
            content: "Resolve the complaint",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Resolved')",
            content: "The complaint is resolved",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='resolution_hours']",
            content: "The time it took is measured",
            run: () => console.log("crm_loyalty:screenshot:complaint_form"),
        },
        {
            trigger: ".o_form_view button[name='action_close']",
            content: "Close it: the customer is asked whether he is satisfied",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Closed')",
            content: "The complaint is closed",
        },
    ],
});
