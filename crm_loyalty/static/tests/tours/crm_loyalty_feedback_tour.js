import { registry } from "@web/core/registry";

/**
 * A customer answers a satisfaction request on its public page, without logging in.
 */
registry.category("web_tour.tours").add("crm_loyalty_feedback_answer", {
    steps: () => [
        {
            trigger: "h1:contains('How satisfied are you with us?')",
            content: "The page asks the question",
            run: () => console.log("crm_loyalty:screenshot:feedback_page"),
        },
        {
            trigger: "label[for='score_4']",
            content: "Satisfied",
            run: "click",
        },
        {
            trigger: "label[for='nps_9']",
            content: "Would recommend: 9",
            run: "click",
        },
        {
            trigger: "textarea[name='comment']",
            content: "A comment",
            run: "edit The delivery was fast.",
        },
        {
            trigger: "button[type='submit']",
            content: "Send the answer",
            run: "click",
        },
        {
            trigger: "h1:contains('Thank you for your answer!')",
            content: "The answer is recorded",
        },
    ],
});
