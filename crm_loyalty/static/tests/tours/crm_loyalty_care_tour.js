import { registry } from "@web/core/registry";
import { openLoyaltyApp, openCareRules, runRuleNow } from "@crm_loyalty/../tests/tours/loyalty_tour_utils";

/** The care rule's steps up to its form, for a new rule named NAME acting DAYS before the birthday. */
function newBirthdayRule(name, days) {
    return [
        ...openLoyaltyApp(),
        ...openCareRules(),
        {
            trigger: ".o_list_button_add, .o-kanban-button-new",
            content: "Create a rule",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='name'] input",
            content: "Name it",
            run: `edit ${name}`,
        },
        {
            trigger: ".o_field_widget[name='days'] input",
            content: "Days before the birthday",
            run: `edit ${days}`,
        },
    ];
}

/**
 * A system administrator creates a birthday rule with an existing server action, previews
 * it and runs it.
 */
registry.category("web_tour.tours").add("crm_loyalty_care_rule", {
    url: "/odoo",
    steps: () => [
        ...newBirthdayRule("Birthday call", 3),
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
        ...runRuleNow(),
    ],
});

/**
 * A loyalty administrator, who is no system administrator, builds a birthday rule line by
 * line in its "What to Do" list (a call for a chosen user in two days, a tag), then runs it.
 */
registry.category("web_tour.tours").add("crm_loyalty_care_lines", {
    url: "/odoo",
    steps: () => [
        ...newBirthdayRule("Birthday call", 3),
        {
            trigger: ".o_form_view:not(:has(.o_field_widget[name='action_server_ids']))",
            content: "No technical server actions on the way",
        },
        {
            trigger: ".o_field_widget[name='step_ids'] .o_field_x2many_list_row_add a",
            content: "Add a line to what to do",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='kind'] input[data-value='activity']:checked",
            content: "Scheduling an activity comes first",
        },
        {
            trigger: ".modal .o_field_widget[name='activity_type_id'] input",
            content: "A phone call",
            run: "edit Birthday Phone",
        },
        {
            trigger: ".o-autocomplete--dropdown-menu .dropdown-item:contains('Birthday Phone Call')",
            content: "The activity type is proposed",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='activity_summary'] input",
            content: "What the call is for",
            run: "edit Birthday call",
        },
        {
            trigger: ".modal .o_field_widget[name='activity_days'] input",
            content: "Due in two days",
            run: "edit 2",
        },
        {
            trigger: ".modal .o_field_widget[name='activity_assignee'] input[data-value='user']",
            content: "For a chosen user",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='activity_user_id'] input",
            content: "Me",
            run: "edit Care Admin",
        },
        {
            trigger: ".o-autocomplete--dropdown-menu .dropdown-item:contains('Care Admin')",
            content: "The user is proposed",
            run: "click",
        },
        {
            trigger: ".modal .o_form_button_save_new",
            content: "Save the line and add another",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='kind'] input[data-value='tag_add']",
            content: "Add a tag",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='tag_id'] input",
            content: "The birthday tag",
            run: "edit Birthday 2026",
        },
        {
            trigger: ".o-autocomplete--dropdown-menu .dropdown-item:contains('Birthday 2026')",
            content: "The tag is proposed",
            run: "click",
        },
        {
            trigger: ".modal .o_form_button_save",
            content: "Save the line",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='step_ids'] .o_data_row:contains('Birthday call, due in 2 days, for Care Admin')",
            content: "The call is on the rule, in words",
        },
        {
            trigger: ".o_field_widget[name='step_ids'] .o_data_row:contains('Add the tag “Birthday 2026”')",
            content: "The tag too",
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
        ...runRuleNow(),
    ],
});
