import { registry } from "@web/core/registry";
import { openLoyaltyApp, screenshot } from "@crm_loyalty/../tests/tours/loyalty_tour_utils";

/**
 * A manager reads the loyalty dashboard and follows its figures to the lists behind them.
 * The figures are those of TestTours.test_dashboard (the six customers of the reports' tests,
 * two monthly snapshots). `labels` holds the texts the page must show in the user's language.
 * Every amount shows in one format: the currency, whole units ("$ 1,800", never "1.8k").
 * A list opened from a figure says in its search bar what it keeps, and the user can remove it.
 */
function dashboardSteps(labels) {
    const backToDashboard = {
        trigger: ".o_breadcrumb .breadcrumb-item a",
        content: "Back to the dashboard",
        run: "click",
    };
    return [
        ...openLoyaltyApp(),
        {
            trigger: `.o_loyalty_kpi_customers:contains('${labels.customers}') .o_loyalty_kpi_value:contains('6')`,
            content: "Six customers bought",
        },
        {
            trigger: ".o_loyalty_kpi_customers:contains('1,800'):not(:contains('1,800.00')):not(:contains('k'))",
            content: "for 1,800 in the window, in whole units",
        },
        {
            trigger: ".o_loyalty_tiers .o_loyalty_tier:contains('Silver'):contains('1,700') .o_loyalty_tier_count:contains('4')",
            content: "Four Silver customers, 1,700 of revenue",
        },
        {
            trigger: ".o_loyalty_kpi_a_share .o_loyalty_kpi_value:contains('94.4')",
            content: "94.4 % of the revenue from A customers",
        },
        {
            trigger: ".o_loyalty_kpi_churn .o_loyalty_kpi_value:contains('1')",
            content: "One of them is at high churn risk",
        },
        {
            trigger: `.o_loyalty_kpi_satisfaction:contains('${labels.satisfaction}') .o_loyalty_kpi_value:contains('3.00')`,
            content: "Satisfaction of this month's answers",
        },
        {
            trigger: ".o_loyalty_kpi_care .o_loyalty_kpi_value:contains('2')",
            content: "Two care actions done this week",
        },
        {
            trigger: `.o_loyalty_dick_basu:contains('${labels.loyal}') .o_loyalty_cell_spurious .o_loyalty_matrix_count:contains('2')`,
            content: "Two customers of spurious loyalty",
        },
        {
            trigger: ".o_loyalty_reinartz_kumar .o_loyalty_cell_butterfly .o_loyalty_matrix_count:contains('2')",
            content: "Two butterflies",
        },
        {
            trigger: ".o_loyalty_rfm .o_loyalty_rfm_cell.r5f1:contains('2')",
            content: "Two customers bought recently, once",
        },
        {
            trigger: ".o_loyalty_migration .o_loyalty_migration_cell.o_loyalty_up:contains('1')",
            content: "One customer moved up a tier",
        },
        {
            trigger: ".o_loyalty_chart canvas",
            content: "The monthly trends are drawn",
            run: () => screenshot(labels.screenshot),
        },
        {
            trigger: ".o_loyalty_rfm",
            content: "Scroll to the heat map, the migration and the trends",
            async run() {
                this.anchor.scrollIntoView({ block: "start" });
                await screenshot(`${labels.screenshot}_more`);
            },
        },
        {
            trigger: ".o_loyalty_kpi_churn",
            content: "Open the customers at high churn risk",
            run: "click",
        },
        {
            trigger: `.o_breadcrumb:contains('${labels.highRisk}')`,
            content: "The list is named after the figure",
        },
        {
            trigger: `.o_searchview_facet:contains('${labels.highRiskFacet}')`,
            content: "The search bar says what the list keeps: high churn risk",
        },
        {
            trigger: `.o_searchview_facet:contains('${labels.customersFacet}')`,
            content: "among the customers of the company",
        },
        {
            trigger: ".o_list_view .o_data_row td[name='complete_name']:contains('D')",
            content: "D, four times overdue against his own rhythm, is listed",
        },
        {
            trigger: ".o_list_view:not(:has(.o_data_row:nth-child(2)))",
            content: "and nobody else (not his contact, who carries his figures)",
        },
        {
            trigger: `.o_searchview_facet:contains('${labels.highRiskFacet}') .o_facet_remove`,
            content: "Remove the churn risk filter",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:nth-child(6):not(:has(~ .o_data_row))",
            content: "The six customers of the company are listed",
        },
        backToDashboard,
        {
            trigger: ".o_loyalty_rfm .o_loyalty_rfm_cell.r5f1",
            content: "Open the recent one-time buyers",
            run: "click",
        },
        {
            trigger: `.o_searchview_facet:contains('${labels.rScore}'):contains('5')`,
            content: "The search bar says: R score 5",
        },
        {
            trigger: `.o_searchview_facet:contains('${labels.fScore}'):contains('1')`,
            content: "and F score 1",
        },
        {
            trigger: ".o_list_view .o_data_row:nth-child(2):not(:has(~ .o_data_row))",
            content: "A and A2 are listed",
        },
        backToDashboard,
        {
            trigger: ".o_loyalty_migration .o_loyalty_migration_cell.o_loyalty_up",
            content: "Open the upgrades",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row td[name='partner_id']:contains('C')",
            content: "C, who moved up to Silver, is listed",
        },
        backToDashboard,
        {
            trigger: ".o_loyalty_dashboard .o_loyalty_kpi_customers",
            content: "The dashboard is back",
        },
    ];
}

registry.category("web_tour.tours").add("crm_loyalty_dashboard", {
    url: "/odoo",
    steps: () =>
        dashboardSteps({
            screenshot: "dashboard",
            customers: "Customers",
            satisfaction: "Satisfaction this month",
            loyal: "Loyal",
            highRisk: "High churn risk",
            highRiskFacet: "High Churn Risk",
            customersFacet: "Customers of the Company",
            rScore: "R Score",
            fScore: "F Score",
        }),
});

registry.category("web_tour.tours").add("crm_loyalty_dashboard_zh", {
    url: "/odoo",
    steps: () =>
        dashboardSteps({
            screenshot: "dashboard_zh_CN",
            customers: "客户",
            satisfaction: "本月满意度",
            loyal: "忠诚",
            highRisk: "高流失风险",
            highRiskFacet: "高流失风险",
            customersFacet: "本公司客户",
            rScore: "R 评分",
            fScore: "F 评分",
        }),
});
