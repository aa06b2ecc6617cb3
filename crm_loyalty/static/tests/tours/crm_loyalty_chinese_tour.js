import { registry } from "@web/core/registry";
import { openLoyaltyApp, screenshot, openCareRules, openCustomer } from "@crm_loyalty/../tests/tours/loyalty_tour_utils";

/**
 * A loyalty administrator working in Simplified Chinese: the dashboard, a customer's Loyalty
 * tab (his tier, why, and a tier change the engine logged, read in Chinese) and a care rule
 * with its "What to do" lines, all in Chinese.
 */
registry.category("web_tour.tours").add("crm_loyalty_chinese", {
    url: "/odoo",
    steps: () => [
        ...openLoyaltyApp(),
        {
            trigger: ".o_loyalty_kpi_customers:contains('客户') .o_loyalty_kpi_value:contains('1')",
            content: "The dashboard speaks Chinese",
        },
        {
            trigger: ".o_loyalty_kpi_customers:contains('95.00万')",
            content: "Large amounts in 万, as Chinese counts them",
        },
        {
            trigger: ".o_loyalty_migration .card-header:contains('年'):contains('月')",
            content: "The month as Chinese writes it (2026年11月)",
        },
        ...openCustomer("Lotus Tea House"),
        {
            trigger: ".o_notebook .nav-link:contains('客户忠诚')",
            content: "Open the Loyalty tab",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='loyalty_tier_id']:contains('黄金')",
            content: "The tier in Chinese",
        },
        {
            trigger: ".o_field_widget[name='loyalty_tier_explanation']:contains('门槛')",
            content: "Why he holds it, in Chinese",
        },
        {
            trigger: ".o_field_widget[name='loyalty_tier_history_ids'] .o_data_row:contains('指标达到该等级门槛')",
            content: "The tier change logged by the engine reads in Chinese",
            run: () => screenshot("loyalty_tab_zh_CN"),
        },
        ...openCareRules(),
        {
            trigger: ".o_list_view .o_data_row:contains('生日祝福') td[name='trigger']:contains('生日')",
            content: "The birthday rule and its trigger, in Chinese",
        },
        {
            trigger: ".o_list_view .o_data_row td[name='name']:contains('生日祝福')",
            content: "Open the birthday rule, named in Chinese",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_horizontal_separator:contains('要做的事')",
            content: "Its \"What to do\" list",
        },
        {
            trigger: ".o_field_widget[name='step_ids'] .o_data_row:contains('安排活动'):contains('天后到期，交给客户的销售人员')",
            content: "Its line says what it does, in Chinese",
            run: () => screenshot("care_rule_zh_CN"),
        },
    ],
});
