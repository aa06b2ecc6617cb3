/** @odoo-module **/
/**
 * The Loyalty menu's landing page. Odoo's pivot and graph views show one grouping and one
 * measure at a time; this page puts the headline figures, the two 2×2 matrices with counts
 * and revenue, the RFM heat map, the tier migration matrix and the monthly trends side by
 * side. Every figure opens the list behind it; every block opens its full report.
 */
import { Component, onWillStart, onMounted, onWillUnmount, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { formatCurrency } from "@web/core/currency";
import { deserializeDate } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { formatFloat, formatInteger } from "@web/views/fields/formatters";
import { useService } from "@web/core/utils/hooks";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { formatChineseAmount } from "./chinese_amounts";

export class LoyaltyDashboard extends Component {
    static template = "crm_loyalty.LoyaltyDashboard";
    static components = { Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ data: null });
        this.customersChart = useRef("customersChart");
        this.satisfactionChart = useRef("satisfactionChart");
        this.charts = [];
        onWillStart(async () => {
            const [data] = await Promise.all([this.fetch(), loadBundle("web.chartjs_lib")]);
            this.state.data = data;
        });
        onMounted(() => this.renderCharts());
        onWillUnmount(() => this.destroyCharts());
    }

    fetch() {
        return this.orm.call("crm.loyalty.dashboard", "get_dashboard_data", []);
    }

    async refresh() {
        this.state.data = await this.fetch();
        this.destroyCharts();
        this.renderCharts();
    }

    get display() {
        return { controlPanel: {} };
    }

    get data() {
        return this.state.data;
    }

    get companyNote() {
        return _t("Figures of %s: switch company to see another.", this.data.company);
    }

    open(action) {
        this.action.doAction(action);
    }

    openReport(xmlid) {
        this.action.doAction(xmlid);
    }

    // --- formatting ----------------------------------------------------------------------

    /** Every amount of the page in one format: the company's currency, whole units. */
    money(amount) {
        return (
            formatChineseAmount(amount || 0, this.data.currency.id) ??
            formatCurrency(amount || 0, this.data.currency.id, { digits: [16, 0] })
        );
    }

    integer(value) {
        return formatInteger(value || 0);
    }

    decimal(value, digits = 2) {
        return value === null || value === undefined ? "—" : formatFloat(value, { digits: [16, digits] });
    }

    percent(value) {
        return value === null || value === undefined ? "—" : `${formatFloat(value, { digits: [16, 1] })} %`;
    }

    /** The change against last month, signed, and whether it is good news. */
    delta(current, previous, digits) {
        if (current === null || current === undefined || previous === null || previous === undefined) {
            return null;
        }
        const change = current - previous;
        const text = formatFloat(Math.abs(change), { digits: [16, digits] });
        return {
            text: change > 0 ? `+${text}` : change < 0 ? `−${text}` : text,
            className: change > 0 ? "text-success" : change < 0 ? "text-danger" : "text-muted",
            icon: change > 0 ? "fa-caret-up" : change < 0 ? "fa-caret-down" : "fa-minus",
        };
    }

    /** "Nov 2026" in English, "2026年11月" in Chinese: the month as the user's language writes it. */
    monthLabel(date) {
        return deserializeDate(date).toLocaleString({ year: "numeric", month: "short" });
    }

    matrixCell(cells, row, column) {
        return cells.find((cell) => cell.row === row && cell.column === column);
    }

    heatStyle(cell) {
        if (!cell.count) {
            return "";
        }
        const alpha = 0.12 + 0.88 * cell.heat;
        const color = cell.heat > 0.5 ? "#fff" : "inherit";
        return `background-color: rgba(113, 75, 103, ${alpha.toFixed(3)}); color: ${color};`;
    }

    migrationClass(cell) {
        if (!cell.count) {
            return "text-muted";
        }
        return {
            up: "o_loyalty_up",
            down: "o_loyalty_down",
            same: "o_loyalty_same",
            new: "o_loyalty_new",
        }[cell.kind];
    }

    // --- charts ----------------------------------------------------------------------------

    destroyCharts() {
        for (const chart of this.charts) {
            chart.destroy();
        }
        this.charts = [];
    }

    renderCharts() {
        const months = this.data.trends;
        const labels = months.map((month) => this.monthLabel(month.date));
        const common = {
            type: "line",
            options: {
                maintainAspectRatio: false,
                animation: false,
                interaction: { mode: "index", intersect: false },
                plugins: { legend: { position: "bottom" } },
            },
        };
        this.charts.push(
            new window.Chart(this.customersChart.el, {
                ...common,
                data: {
                    labels,
                    datasets: [
                        {
                            label: _t("Active customers"),
                            data: months.map((month) => month.active_customers),
                            borderColor: "#017e84",
                            spanGaps: true,
                            backgroundColor: "#017e84",
                        },
                        {
                            label: _t("High churn risk"),
                            data: months.map((month) => month.churned_customers),
                            borderColor: "#d44c59",
                            spanGaps: true,
                            backgroundColor: "#d44c59",
                        },
                    ],
                },
                options: { ...common.options, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
            })
        );
        this.charts.push(
            new window.Chart(this.satisfactionChart.el, {
                ...common,
                data: {
                    labels,
                    datasets: [
                        {
                            label: _t("Satisfaction (1–5)"),
                            data: months.map((month) => month.satisfaction),
                            borderColor: "#714b67",
                            backgroundColor: "#714b67",
                            yAxisID: "satisfaction",
                            spanGaps: true,
                        },
                        {
                            label: _t("NPS"),
                            data: months.map((month) => month.nps),
                            borderColor: "#e99d00",
                            backgroundColor: "#e99d00",
                            yAxisID: "nps",
                            spanGaps: true,
                        },
                    ],
                },
                options: {
                    ...common.options,
                    scales: {
                        satisfaction: { type: "linear", position: "left", min: 1, max: 5 },
                        nps: { type: "linear", position: "right", min: -100, max: 100, grid: { drawOnChartArea: false } },
                    },
                },
            })
        );
    }
}

registry.category("actions").add("crm_loyalty.dashboard", LoyaltyDashboard);
