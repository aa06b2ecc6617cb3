import { registry } from "@web/core/registry";
import { screenshot } from "@crm_loyalty/../tests/tours/loyalty_tour_utils";

/** A salesperson opens a customer's Loyalty tab on its relationship value. */
registry.category("web_tour.tours").add("crm_loyalty_value_block", {
    steps: () => [
        {
            trigger: ".o_notebook .nav-link:contains('Loyalty')",
            content: "Open the Loyalty tab",
            run: "click",
        },
        {
            trigger: ".o_horizontal_separator:contains('Relationship Value')",
            content: "The tab has a block for the relationship value",
        },
        {
            trigger: ".o_horizontal_separator:contains('Referral Value')",
            content: "One of its five dimensions is the referral value",
        },
        {
            trigger: ".o_field_widget[name='loyalty_referral_count']:contains('1')",
            content: "The customer referred one customer who bought",
        },
        {
            trigger: ".o_field_widget[name='loyalty_wallet_share']:contains('25')",
            content: "He spends a quarter of his wallet with us",
        },
        {
            trigger: ".o_field_widget[name='loyalty_favourite_product_ids']:contains('Oolong Tea')",
            content: "His preference card: the tea he bought on two days is his favourite",
        },
        {
            trigger: ".o_field_widget[name='loyalty_wallet_source']:contains('Estimated by')",
            content: "The wallet's source is shown",
            run: () => {
                document.querySelector(".o_field_widget[name='loyalty_referral_count']").scrollIntoView();
                return screenshot("relationship_value");
            },
        },
    ],
});
