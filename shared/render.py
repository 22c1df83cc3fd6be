"""The receipt as a page a bank app can embed: self-contained HTML, no script, no fetch."""

from __future__ import annotations

from datetime import datetime
from html import escape

from shared.domain.money import format_amount

# Nothing may load from elsewhere and nothing may run: a bank embeds this page as it is.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *",
    "X-Content-Type-Options": "nosniff",
}

_STYLE = """
body{margin:0;background:#f3f4f6;font:15px/1.45 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#111827}
main{max-width:420px;margin:24px auto;background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:24px}
h1{font-size:20px;margin:0}
.meta{color:#6b7280;font-size:13px;margin:4px 0 16px}
.state{display:inline-block;border-radius:999px;padding:2px 10px;font-size:12px;font-weight:600}
.matched{background:#dcfce7;color:#166534}.unmatched{background:#fef3c7;color:#92400e}
table{width:100%;border-collapse:collapse;margin:12px 0}
td{padding:6px 0;vertical-align:top}td.n{text-align:right;white-space:nowrap}
tr.line td{border-bottom:1px solid #f3f4f6}.qty{color:#6b7280;font-size:13px}
tr.total td{font-weight:700;font-size:17px;border-top:2px solid #111827;padding-top:10px}
.card{margin-top:16px;padding:12px;border-radius:8px;background:#f9fafb;font-size:13px;color:#374151}
.card code{font-size:14px;color:#111827}
"""


def _when(issued_at: str) -> str:
    try:
        moment = datetime.fromisoformat(issued_at)
    except ValueError:
        return escape(issued_at)
    return moment.strftime("%d %b %Y, %H:%M") + (f" (UTC{moment.strftime('%z')[:3]}:{moment.strftime('%z')[3:]})"
                                                 if moment.utcoffset() is not None else "")


def receipt_html(receipt: dict) -> str:
    """The receipt view of the read API (masked card data only) as a page."""
    currency = receipt["currency"]

    def money(minor: int) -> str:
        return f"{format_amount(minor, currency)} {escape(currency)}"

    lines = "".join(
        f'<tr class="line"><td>{escape(line["description"])}'
        f'<div class="qty">{line["quantity"]} × {money(line["unit_price"])}</div></td>'
        f'<td class="n">{money(line["amount"])}</td></tr>'
        for line in receipt["lines"]
    )
    totals = receipt["totals"]
    summary = f'<tr><td>Subtotal</td><td class="n">{money(totals["subtotal"])}</td></tr>'
    if totals["tax"]:
        summary += f'<tr><td>Tax</td><td class="n">{money(totals["tax"])}</td></tr>'
    if totals["tip"]:
        summary += f'<tr><td>Tip</td><td class="n">{money(totals["tip"])}</td></tr>'
    summary += f'<tr class="total"><td>Total</td><td class="n">{money(totals["total"])}</td></tr>'
    cards = "".join(
        f'<div class="card">{escape(card.get("scheme") or "Card")} <code>{escape(card["masked_pan"])}</code>'
        f' · {money(card["amount"])}<br>Auth {escape(card["auth_code"])} · Terminal {escape(card["terminal_id"])}'
        f' · RRN {escape(card["rrn"])} · {escape(card["transaction_date"])} {escape(card["transaction_time"])}</div>'
        for card in receipt["payments"]
    )
    status = escape(receipt["status"])
    merchant = escape(receipt["merchant"]["name"] or "Merchant")
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>Receipt · {merchant}</title><style>{_STYLE}</style></head><body><main>"
        f"<h1>{merchant}</h1>"
        f'<div class="meta">{_when(receipt["issued_at"])} · Receipt {escape(receipt["merchant_receipt_id"])}'
        f' · <span class="state {status}">{status}</span></div>'
        f"<table>{lines}</table><table>{summary}</table>{cards}"
        "</main></body></html>"
    )
