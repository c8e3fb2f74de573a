import werkzeug.exceptions

from odoo import http, models
from odoo.http import request

from ..lib import cors

CORS_PARAM = "voltaic_booking.api_cors_origins"


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _get_translation_frontend_modules_name(cls):
        """The website's scripts (booking page, manage page) show this module's texts in the visitor's language."""
        return [*super()._get_translation_frontend_modules_name(), "voltaic_booking"]

    @classmethod
    def _pre_dispatch(cls, rule, args):
        result = super()._pre_dispatch(rule, args)
        controller = getattr(getattr(rule.endpoint, "func", None), "__self__", None)
        if getattr(controller, "_voltaic_api_cors", False):
            cls._voltaic_apply_api_cors(rule)
        return result

    @classmethod
    def _voltaic_apply_api_cors(cls, rule):
        """CORS for the routes of the public JSON API (controllers with ``_voltaic_api_cors``), from the origins
        listed in ``voltaic_booking.api_cors_origins``.

        Odoo's ``@http.route(cors=...)`` is one fixed origin per route; this reads the setting per request.
        An allowed ``Origin`` gets ``Access-Control-Allow-Origin`` on the answer (set before the route runs,
        so every answer the route returns carries it, its JSON errors included; error pages of exceptions do
        not); ``Vary: Origin`` goes on them while origins are configured. A preflight (``OPTIONS``) never
        reaches the route: 204 with the allowed methods and headers for an allowed origin, 403 without any
        CORS header for another one, 204 with ``Allow`` for an ``OPTIONS`` without ``Origin``.
        """
        value = request.env["ir.config_parameter"].sudo().get_param(CORS_PARAM, "")
        allowed = cors.parse_origins(value)
        origin = cors.allowed_origin(request.httprequest.headers.get("Origin"), allowed)
        headers = request.future_response.headers
        if allowed:
            headers.add("Vary", "Origin")
        if origin:
            for name, header_value in cors.answer_headers(origin):
                headers.set(name, header_value)
        if request.httprequest.method != "OPTIONS":
            return
        methods = [method for method in rule.endpoint.routing.get("methods") or ["GET", "POST"] if method != "OPTIONS"]
        if origin:  # Access-Control-Allow-Origin comes from the future response's headers, as on any answer
            response = http.Response(status=204, headers=cors.preflight_headers(methods, http.CORS_MAX_AGE))
        elif request.httprequest.headers.get("Origin"):
            response = request.make_json_response({"error": {
                "code": "origin_not_allowed",
                "message": request.env._("This origin may not call the booking API."),
            }}, status=403)
        else:
            response = http.Response(status=204, headers=[("Allow", ", ".join([*methods, "OPTIONS"]))])
        werkzeug.exceptions.abort(response)
