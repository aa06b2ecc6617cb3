import { registry } from "@web/core/registry";
import { openLoyaltyApp } from "@crm_loyalty/../tests/tours/loyalty_tour_utils";

/**
 * A channel manager reviews the conflict of an order that a distributor delivered into
 * another distributor's exclusive territory: he confirms it with what he found, then looks
 * at the scorecard of the distributor who caused it.
 */
registry.category("web_tour.tours").add("crm_loyalty_channel_conflict", {
    url: "/odoo",
    steps: () => [
        ...openLoyaltyApp(),
        {
            trigger: "button[data-menu-xmlid='crm_loyalty.menu_loyalty_channel']",
            content: "Open the channel menu",
            run: "click",
        },
        {
            trigger: "a[data-menu-xmlid='crm_loyalty.menu_loyalty_channel_conflicts']",
            content: "Open the conflicts",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('South Distribution') td.o_data_cell:contains('West Distribution')",
            content: "The conflict waits for review",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='territory_id']:contains('Texas')",
            content: "Delivered into the Texas territory",
            run: () => console.log("crm_loyalty:screenshot:channel_conflict"),
        },
        {
            trigger: ".o_field_widget[name='resolution'] textarea",
            content: "Write down what was found",
            run: "edit West shipped to Austin without asking South.",
        },
        {
            trigger: ".o_form_view button[name='action_confirm']",
            content: "Confirm the conflict",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Confirmed')",
            content: "The conflict is confirmed",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='decided_by_id']:contains('Channel Manager')",
            content: "And signed by the manager",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='distributor_id'] a.o_form_uri",
            content: "Open the distributor who sold",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains('West Distribution')",
            content: "The distributor's form",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='channel_score_revenue_ytd']:contains('480.00')",
            content: "His scorecard up top: the order counts in his revenue this year",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='channel_score_conflicts_caused']:contains('1')",
            content: "and the conflict he caused",
            run: () => console.log("crm_loyalty:screenshot:distributor_scorecard"),
        },
    ],
});
