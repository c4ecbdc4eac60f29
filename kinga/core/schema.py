"""OpenAPI descriptions of Kinga's own building blocks (drf-spectacular extensions)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class KingaTokenScheme(OpenApiAuthenticationExtension):
    target_class = "kinga.core.token_auth.KingaTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal API token (profile page): `Token <key>` or `Bearer <key>`.",
        }
