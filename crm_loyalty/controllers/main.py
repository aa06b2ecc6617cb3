from odoo import http
from odoo.http import request
from odoo.tools import consteq
from odoo.tools.misc import format_date, get_lang

from ..models.crm_loyalty_feedback import NPS, SCORES

MAX_COMMENT = 5000


class LoyaltyFeedbackController(http.Controller):
    """The customer's satisfaction page: no login, the request's token is the key."""

    def _feedback_from_token(self, token):
        """(feedback, None) for an open request, (feedback or empty, HTTP status) otherwise."""
        Feedback = request.env['crm.loyalty.feedback'].sudo()
        if not token or len(token) > 128:
            return Feedback, 404
        feedback = Feedback.search([('access_token', '=', token)], limit=1)
        if not feedback or not consteq(feedback.access_token, token):
            return Feedback, 404
        if not feedback._is_open():
            return feedback, 410
        return feedback, None

    def _sentences(self, env, feedback):
        """The page's sentences that carry a name or a date, each translated whole (a language
        places the name and the date where its own grammar wants them)."""
        if not feedback:
            return {}
        expiry = format_date(env, feedback.expiry_date) if feedback.expiry_date else ''
        return {
            'greeting': env._("Dear %(name)s, your answer helps us serve you better.",
                              name=feedback.partner_id.name),
            'about': feedback.complaint_id and env._("It is about how we handled your request %(request)s.",
                                                     request=feedback.complaint_id.name),
            'change_until': env._("You can change your answer until %(date)s.", date=expiry),
            'come_back': env._("You can come back to this page to change it until %(date)s.", date=expiry),
        }

    def _render(self, template, feedback, status=200, **values):
        lang = feedback.partner_id.lang or get_lang(request.env).code
        env = request.env(context=dict(request.env.context, lang=lang))
        html = env['ir.ui.view']._render_template(template, {
            'feedback': feedback, 'company': feedback.company_id or request.env.company,
            'levels': SCORES[::-1], 'nps_values': [value for value, _label in NPS],
            'sentences': self._sentences(env, feedback), **values})
        # the page takes an answer: never inside another site's frame (clickjacking)
        return request.make_response(html, status=status, headers=[
            ('X-Frame-Options', 'DENY'), ('Content-Security-Policy', "frame-ancestors 'none'")])

    @http.route('/loyalty/feedback/<string:token>', type='http', auth='public', methods=['GET'])
    def feedback_page(self, token, **kwargs):
        feedback, status = self._feedback_from_token(token)
        if status:
            return self._render('crm_loyalty.feedback_unavailable', feedback, status=status, reason=status)
        return self._render('crm_loyalty.feedback_page', feedback, answer={
            'score': feedback.score, 'nps': feedback.nps, 'comment': feedback.comment or '',
            'trust': feedback.trust, 'commitment': feedback.commitment})

    @http.route('/loyalty/feedback/<string:token>', type='http', auth='public', methods=['POST'])
    def feedback_submit(self, token, score=None, nps=None, comment=None, trust=None, commitment=None, **kwargs):
        feedback, status = self._feedback_from_token(token)
        if status:
            return self._render('crm_loyalty.feedback_unavailable', feedback, status=status, reason=status)
        answer = {'score': score, 'nps': nps or None, 'comment': (comment or '').strip(),
                  'trust': trust or None, 'commitment': commitment or None}
        scores = {value for value, _label in SCORES}
        error = None
        if score not in scores:
            error = 'score'
        elif answer['nps'] is not None and answer['nps'] not in {value for value, _label in NPS}:
            error = 'nps'
        elif any(answer[q] is not None and answer[q] not in scores for q in ('trust', 'commitment')):
            error = 'relationship'
        elif len(answer['comment']) > MAX_COMMENT:
            error = 'comment'
        if error:
            return self._render('crm_loyalty.feedback_page', feedback, status=400, answer=answer, error=error)
        feedback._submit_answer(**answer)
        return self._render('crm_loyalty.feedback_thanks', feedback)
