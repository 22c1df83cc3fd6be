"""POST /sim/issuer: the simulated issuing bank answers an ISO 8583 0200 with a 0210, a 0400 with a 0410."""

import flask
import functions_framework

from shared.domain.errors import MalformedRequest
from shared.entrypoints import http
from shared.platform.db import sim_engine
from shared.simulation import iso8583, parties


@functions_framework.http
@http.endpoint("POST", needs=("PLATFORM_SECRET",))
def sim_issuer(request):
    message = request.get_data()
    try:
        answer = parties.respond(sim_engine(), message)
    except iso8583.MessageError as error:
        raise MalformedRequest(str(error)) from None
    return flask.Response(answer, 200, mimetype="application/octet-stream")
