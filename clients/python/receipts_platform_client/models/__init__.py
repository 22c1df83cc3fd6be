"""Contains all the data models used in inputs/outputs"""

from .account_erased import AccountErased
from .address import Address
from .address_country import AddressCountry
from .ambiguity_page import AmbiguityPage
from .ambiguity_set import AmbiguitySet
from .ambiguous_payment import AmbiguousPayment
from .ambiguous_receipt import AmbiguousReceipt
from .api_key import ApiKey
from .api_keys import ApiKeys
from .audit_actor import AuditActor
from .audit_entry import AuditEntry
from .audit_object import AuditObject
from .audit_object_kind import AuditObjectKind
from .audit_page import AuditPage
from .bank_receipt_matched import BankReceiptMatched
from .bank_receipt_matched_callback import BankReceiptMatchedCallback
from .card_payment_line import CardPaymentLine
from .card_payment_line_currency import CardPaymentLineCurrency
from .card_payment_line_wallet_type_0 import CardPaymentLineWalletType0
from .clearing import Clearing
from .clearing_currency import ClearingCurrency
from .day_rate import DayRate
from .dcc import Dcc
from .dcc_currency import DccCurrency
from .deleted_api_key import DeletedApiKey
from .discount import Discount
from .discount_share import DiscountShare
from .endpoint_change import EndpointChange
from .error_body import ErrorBody
from .error_detail import ErrorDetail
from .error_response import ErrorResponse
from .failed_callback import FailedCallback
from .failed_callback_party_kind import FailedCallbackPartyKind
from .failed_callbacks import FailedCallbacks
from .fiscal import Fiscal
from .get_kivra_receipt_response_200 import GetKivraReceiptResponse200
from .health import Health
from .health_dependencies import HealthDependencies
from .health_dependencies_additional_property import (
    HealthDependenciesAdditionalProperty,
)
from .health_status import HealthStatus
from .issued_api_key import IssuedApiKey
from .itemised_receipt import ItemisedReceipt
from .itemised_receipt_kind import ItemisedReceiptKind
from .key_request import KeyRequest
from .legal import Legal
from .list_receipts_status_type_0 import ListReceiptsStatusType0
from .lookup_answer import LookupAnswer
from .lookup_answer_match_rule import LookupAnswerMatchRule
from .manual_match import ManualMatch
from .match_decision import MatchDecision
from .match_rate import MatchRate
from .match_rate_of import MatchRateOf
from .merchant_change import MerchantChange
from .merchant_receipt_matched import MerchantReceiptMatched
from .merchant_receipt_matched_callback import MerchantReceiptMatchedCallback
from .merchant_ref import MerchantRef
from .merchant_registration import MerchantRegistration
from .other_tender import OtherTender
from .other_tender_type import OtherTenderType
from .party_credentials import PartyCredentials
from .party_endpoint import PartyEndpoint
from .party_registration import PartyRegistration
from .payment_accepted import PaymentAccepted
from .payment_accepted_status import PaymentAcceptedStatus
from .payment_cleared import PaymentCleared
from .payment_cleared_status import PaymentClearedStatus
from .payment_submission import PaymentSubmission
from .payment_submission_billing_currency_type_0 import (
    PaymentSubmissionBillingCurrencyType0,
)
from .payment_submission_currency import PaymentSubmissionCurrency
from .payment_submission_kind import PaymentSubmissionKind
from .payment_token import PaymentToken
from .payment_token_wallet import PaymentTokenWallet
from .receipt_accepted import ReceiptAccepted
from .receipt_accepted_status import ReceiptAcceptedStatus
from .receipt_discount import ReceiptDiscount
from .receipt_formats import ReceiptFormats
from .receipt_line import ReceiptLine
from .receipt_line_vat_exemption_type_0 import ReceiptLineVatExemptionType0
from .receipt_page import ReceiptPage
from .receipt_submission import ReceiptSubmission
from .receipt_submission_currency import ReceiptSubmissionCurrency
from .receipt_submission_kind_type_0 import ReceiptSubmissionKindType0
from .receipt_unlinked import ReceiptUnlinked
from .receipt_unlinked_callback import ReceiptUnlinkedCallback
from .receipt_unlinked_reason import ReceiptUnlinkedReason
from .receipt_view import ReceiptView
from .receipt_view_kind import ReceiptViewKind
from .receipt_view_status import ReceiptViewStatus
from .receipt_voided import ReceiptVoided
from .receipt_voided_callback import ReceiptVoidedCallback
from .receipt_warning import ReceiptWarning
from .reconciliation_report import ReconciliationReport
from .reconciliation_report_matched import ReconciliationReportMatched
from .reconciliation_report_matched_by_card_key import (
    ReconciliationReportMatchedByCardKey,
)
from .report_scope import ReportScope
from .report_scope_kind import ReportScopeKind
from .reversal import Reversal
from .statement_page import StatementPage
from .statement_payment import StatementPayment
from .statement_payment_card_key_type_0 import StatementPaymentCardKeyType0
from .statement_payment_kind import StatementPaymentKind
from .statement_payment_status import StatementPaymentStatus
from .statement_token import StatementToken
from .statement_token_wallet import StatementTokenWallet
from .store import Store
from .submit_kivra_receipt_body import SubmitKivraReceiptBody
from .tally import Tally
from .tally_amounts import TallyAmounts
from .totals import Totals
from .vat_total import VatTotal
from .waiting_items import WaitingItems
from .webhook_secret import WebhookSecret

__all__ = (
    "AccountErased",
    "Address",
    "AddressCountry",
    "AmbiguityPage",
    "AmbiguitySet",
    "AmbiguousPayment",
    "AmbiguousReceipt",
    "ApiKey",
    "ApiKeys",
    "AuditActor",
    "AuditEntry",
    "AuditObject",
    "AuditObjectKind",
    "AuditPage",
    "BankReceiptMatched",
    "BankReceiptMatchedCallback",
    "CardPaymentLine",
    "CardPaymentLineCurrency",
    "CardPaymentLineWalletType0",
    "Clearing",
    "ClearingCurrency",
    "DayRate",
    "Dcc",
    "DccCurrency",
    "DeletedApiKey",
    "Discount",
    "DiscountShare",
    "EndpointChange",
    "ErrorBody",
    "ErrorDetail",
    "ErrorResponse",
    "FailedCallback",
    "FailedCallbackPartyKind",
    "FailedCallbacks",
    "Fiscal",
    "GetKivraReceiptResponse200",
    "Health",
    "HealthDependencies",
    "HealthDependenciesAdditionalProperty",
    "HealthStatus",
    "IssuedApiKey",
    "ItemisedReceipt",
    "ItemisedReceiptKind",
    "KeyRequest",
    "Legal",
    "ListReceiptsStatusType0",
    "LookupAnswer",
    "LookupAnswerMatchRule",
    "ManualMatch",
    "MatchDecision",
    "MatchRate",
    "MatchRateOf",
    "MerchantChange",
    "MerchantReceiptMatched",
    "MerchantReceiptMatchedCallback",
    "MerchantRef",
    "MerchantRegistration",
    "OtherTender",
    "OtherTenderType",
    "PartyCredentials",
    "PartyEndpoint",
    "PartyRegistration",
    "PaymentAccepted",
    "PaymentAcceptedStatus",
    "PaymentCleared",
    "PaymentClearedStatus",
    "PaymentSubmission",
    "PaymentSubmissionBillingCurrencyType0",
    "PaymentSubmissionCurrency",
    "PaymentSubmissionKind",
    "PaymentToken",
    "PaymentTokenWallet",
    "ReceiptAccepted",
    "ReceiptAcceptedStatus",
    "ReceiptDiscount",
    "ReceiptFormats",
    "ReceiptLine",
    "ReceiptLineVatExemptionType0",
    "ReceiptPage",
    "ReceiptSubmission",
    "ReceiptSubmissionCurrency",
    "ReceiptSubmissionKindType0",
    "ReceiptUnlinked",
    "ReceiptUnlinkedCallback",
    "ReceiptUnlinkedReason",
    "ReceiptView",
    "ReceiptViewKind",
    "ReceiptViewStatus",
    "ReceiptVoided",
    "ReceiptVoidedCallback",
    "ReceiptWarning",
    "ReconciliationReport",
    "ReconciliationReportMatched",
    "ReconciliationReportMatchedByCardKey",
    "ReportScope",
    "ReportScopeKind",
    "Reversal",
    "StatementPage",
    "StatementPayment",
    "StatementPaymentCardKeyType0",
    "StatementPaymentKind",
    "StatementPaymentStatus",
    "StatementToken",
    "StatementTokenWallet",
    "Store",
    "SubmitKivraReceiptBody",
    "Tally",
    "TallyAmounts",
    "Totals",
    "VatTotal",
    "WaitingItems",
    "WebhookSecret",
)
