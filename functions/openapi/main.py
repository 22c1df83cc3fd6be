"""GET /openapi.json: the API description, generated from the request and response models."""

import functions_framework

from shared.entrypoints import http
from shared.entrypoints.openapi import document


@functions_framework.http
@http.endpoint("GET")
def openapi(request):
    return document(), 200
