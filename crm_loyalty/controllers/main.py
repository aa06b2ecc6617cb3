from odoo import http
