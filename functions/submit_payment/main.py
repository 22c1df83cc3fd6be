"""POST /v1/payments: an issuing bank reports a card payment (SPEC §4)."""

import functions_framework

from shared.domain.parties import BANK
from shared.domain.payments import PaymentSubmission
from shared.entrypoints import http
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.http
@http.endpoint("POST", needs=("PLATFORM_SECRET",), submits="payment")
def submit_payment(request):
    bank = http.authenticate(request, BANK)
    payment = http.parse_json(request, PaymentSubmission)
    accepted, created = services.submit_payment(payment, bank, UnitOfWork())
    return accepted, 201 if created else 200
