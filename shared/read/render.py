"""The receipt as a page a bank app can embed: self-contained HTML, no script, no fetch."""

from __future__ import annotations

import base64
from datetime import datetime
from html import escape
from pathlib import Path

import jinja2
import segno
from markupsafe import Markup

from shared.domain.money import format_amount
from shared.domain.parties import logo_type
from shared.domain.receipts import Fiscal

# Nothing may load from elsewhere and nothing may run: a bank embeds this page as it is.
HEADERS = {
    # Images only as data: URIs (the merchant's logo, the fiscal QR code): inline, never fetched.
    "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors *",
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
.fiscal{margin-top:16px;text-align:center}.fiscal img{width:220px;height:220px;image-rendering:pixelated}
img.logo{max-height:56px;max-width:160px;display:block;margin-bottom:8px}.supplier{margin:0 0 8px}
table.vat{font-size:13px;color:#374151}table.vat th{text-align:left;font-weight:600}table.vat th.n{text-align:right}
"""


_TENDERS = {"cash": "Cash", "gift_card": "Gift card", "voucher": "Voucher", "other": "Other"}
_WALLETS = {"apple_pay": "Apple Pay", "google_pay": "Google Pay", "samsung_pay": "Samsung Pay", "other": "Wallet"}


def _when(issued_at: str) -> str:
    try:
        moment = datetime.fromisoformat(issued_at)
    except ValueError:
        return issued_at
    return moment.strftime("%d %b %Y, %H:%M") + (
        f" (UTC{moment.strftime('%z')[:3]}:{moment.strftime('%z')[3:]})" if moment.utcoffset() is not None else ""
    )


def _address(address: dict | None) -> str:
    if not address:
        return ""
    return f"{address['street']}, {address['postal_code']} {address['city']}, {address['country']}"


def _supplier(receipt: dict) -> list[str]:
    """Who issued the receipt, as the law asks a receipt to name it: legal name, address
    (the store's when the receipt names one), VAT id or tax number."""
    merchant, store = receipt["merchant"], receipt.get("store")
    parts = [merchant.get("legal_name") or merchant["name"] or "Merchant"]
    if store:
        parts.append(store["name"] + (f" · {_address(store['address'])}" if store.get("address") else ""))
    elif merchant.get("address"):
        parts.append(_address(merchant["address"]))
    if merchant.get("vat_id"):
        parts.append(f"VAT id {merchant['vat_id']}")
    if merchant.get("tax_number"):
        parts.append(f"Tax number {merchant['tax_number']}")
    return parts


def _fiscal(fiscal: dict | None) -> dict | None:
    """The till's security-module data, with the DSFinV-K receipt QR code as an inline image."""
    if not fiscal:
        return None
    code = segno.make(Fiscal.model_validate(fiscal).qr_code(), error="m")
    return {**fiscal, "qr": code.svg_data_uri(scale=3, border=4)}


# How a line's unit (UN/ECE Recommendation 20) reads on the page; a piece is just a count.
_UNITS = {"H87": "", "KGM": "kg", "GRM": "g", "LTR": "l", "MTR": "m", "CMT": "cm", "MMT": "mm", "KMT": "km"}
_EXEMPTIONS = {"deposit": "deposit, no VAT", "outside_scope": "outside the scope of VAT", "exempt": "exempt from VAT"}


def _legal(legal: dict | None) -> str:
    """Whether the receipt stands in for the paper slip where the merchant is (SPEC §12)."""
    if not legal or not legal.get("jurisdiction"):
        return ""
    if legal["complete"]:
        return f"A complete receipt under {legal['jurisdiction']} rules."
    reasons = [f"{', '.join(legal['missing'])} missing"] if legal["missing"] else []
    if legal.get("inconsistent"):
        reasons.append("the till's figures do not add up")
    return f"Not a complete receipt under {legal['jurisdiction']} rules: {'; '.join(reasons)}."


_PAGES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # read once per process: no stat of the file per page served
)


def receipt_html(receipt: dict, logo: str | None = None) -> str:
    """The receipt view of the read API (masked card data only) as a page
    (templates/receipt.html.j2), with the merchant's logo (base64) if it gave one."""
    currency = receipt["currency"]

    def money(minor: int | None, in_currency: str = currency) -> str:
        return "" if minor is None else f"{format_amount(minor, in_currency)} {in_currency}"

    def each(line: dict) -> str:
        unit = _UNITS.get(line.get("unit", "H87"), line.get("unit", ""))
        per = f"/{unit}" if unit else ""
        quantity = f"{line['quantity']} {unit}".strip()
        return f"{quantity} × {money(line['unit_price'])}{per}" if line["unit_price"] is not None else f"{quantity} ×"

    def rate(line: dict) -> str:
        if line.get("vat_exemption"):
            return f" · {_EXEMPTIONS[line['vat_exemption']]}"
        return f" · {line['vat_rate']} % VAT" if line.get("vat_rate") is not None else ""

    return _PAGES.get_template("receipt.html.j2").render(
        receipt=receipt,
        totals=receipt["totals"],
        merchant=receipt["merchant"]["name"] or "Merchant",
        when=_when(receipt["issued_at"]),
        supplier=_supplier(receipt),
        logo=logo,
        logo_type=(logo_type(base64.b64decode(logo)) or "image/png") if logo else None,
        fiscal=_fiscal(receipt.get("fiscal")),
        legal=_legal(receipt.get("legal")),
        tenders=_TENDERS,
        wallets=_WALLETS,
        style=Markup(_STYLE),
        money=money,
        each=each,
        rate=rate,
    )


_DASHBOARD_STYLE = """
body{margin:0;background:#f3f4f6;font:14px/1.45 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#111827}
main{max-width:860px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0}h2{font-size:15px;margin:24px 0 8px}
.meta{color:#6b7280;font-size:13px;margin:4px 0 16px}
.tiles{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}
.tile{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:12px 14px}
.tile b{display:block;font-size:22px}.tile span{display:block;color:#6b7280;font-size:12px}
.panel{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:14px}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:5px 6px;border-bottom:1px solid #f3f4f6}
td.n,th.n{text-align:right}
.set{margin-bottom:12px}.sides{display:grid;grid-template-columns:1fr 1fr;gap:12px}
h3{font-size:13px;margin:4px 0;color:#374151}.item{border:1px solid #e5e7eb;border-radius:8px;padding:8px;margin:6px 0}
.item b{display:block}.item code{color:#9ca3af;font-size:11px}
"""


def _bars(days: list[dict]) -> str:
    """The daily match rate as an inline SVG bar chart (no script, nothing fetched)."""
    width, height, top, bottom = 820, 200, 14, 34
    slot = width / max(len(days), 1)
    bars = []
    for index, day in enumerate(days):
        x = index * slot + slot * 0.15
        rate = day["rate"]
        label = "–" if rate is None else f"{rate * 100:.0f}%"
        bar = 0 if rate is None else (height - top - bottom) * rate
        y = height - bottom - bar
        bars.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar:.1f}" fill="#16a34a">'
            f"<title>{escape(day['date'])}: {day['matched']} of {day['items']} matched</title></rect>"
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 3:.1f}" font-size="11" text-anchor="middle">{label}</text>'
            f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 16:.1f}" font-size="10" text-anchor="middle"'
            f' fill="#6b7280">{escape(day["date"][5:])}</text>'
        )
    axis = f'<line x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#d1d5db"/>'
    return (
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="daily match rate">'
        f"{axis}{''.join(bars)}</svg>"
    )


def _ambiguity_sets(sets: list[dict]) -> str:
    """Each open ambiguity set: its receipts and payments side by side, for the operator to settle."""

    def receipt(item: dict) -> str:
        lines = "".join(
            f"<div>{escape(line.get('masked_pan') or 'RRN ' + (line.get('rrn') or ''))} · "
            f"{escape(line.get('auth_code') or '—')} · "
            f"{format_amount(line['amount'], line['currency'])} {escape(line['currency'])} · "
            f"{escape(line['transaction_date'])}</div>"
            for line in item["lines"]
        )
        return f'<div class="item"><b>{escape(item["merchant_receipt_id"])}</b>{lines}<code>{escape(item["id"])}</code></div>'

    def payment(item: dict) -> str:
        return (
            f'<div class="item"><b>{escape(item["bank_payment_id"])}</b><div>{escape(item["masked_pan"])} · '
            f"{format_amount(item['amount'], item['currency'])} {escape(item['currency'])} · "
            f"{escape(item['transaction_date'])}</div><code>{escape(item['id'])}</code></div>"
        )

    return (
        "".join(
            f'<div class="panel set"><div class="meta">{escape(one["rule"])} rule · since {escape(one["created_at"][:19])}'
            f' · set <code>{escape(one["id"])}</code></div><div class="sides">'
            f"<div><h3>Receipts</h3>{''.join(receipt(item) for item in one['receipts']) or '—'}</div>"
            f"<div><h3>Payments</h3>{''.join(payment(item) for item in one['payments']) or '—'}</div></div></div>"
            for one in sets
        )
        or '<div class="panel">None: nothing waits for a decision.</div>'
    )


def _audit_entries(entries: list[dict]) -> str:
    def actor(entry: dict) -> str:
        if entry["actor"] == "operator":
            return "operator"
        return f"<code>{escape(entry['actor']['party_id'])}</code> key <code>{escape(str(entry['actor']['key_id']))}</code>"

    rows = "".join(
        f"<tr><td>{escape(entry['at'][:19])}</td><td>{actor(entry)}</td><td>{escape(entry['action'])}</td>"
        f"<td>{escape(entry['object']['kind'])} <code>{escape(entry['object']['id'])}</code></td>"
        f"<td><code>{escape(entry['request_id'] or '')}</code></td></tr>"
        for entry in entries
    )
    return (
        '<div class="panel"><table><tr><th>At</th><th>Actor</th><th>Action</th><th>Object</th><th>Request</th></tr>'
        + (rows or '<tr><td colspan="5">None yet.</td></tr>')
        + "</table></div>"
    )


def reconciliation_html(
    report: dict, ambiguity_sets: list[dict] | None = None, audit_entries: list[dict] | None = None
) -> str:
    """The reconciliation report as a dashboard page: tiles, the match-rate chart, failures,
    and for the operator the open ambiguity sets and the latest privileged actions."""

    def tally(item: dict) -> str:
        amounts = ", ".join(
            f"{format_amount(minor, currency)} {escape(currency)}"
            for currency, minor in sorted(item["amounts"].items())
        )
        return f"<b>{item['count']}</b><span>{amounts or '—'}</span>"

    matched = "".join(
        f'<div class="tile">{tally(item)}<span>matched · {escape(rule)}</span></div>'
        for rule, item in report["matched"].items()
    )
    waiting = "".join(
        f'<div class="tile">{tally(report[status][side])}<span>{status} {side}</span></div>'
        for status in ("unmatched", "ambiguous", "expired")
        for side in ("receipts", "payments")
    )
    drift = report["drift_repaired"]
    health = (
        f'<div class="tile"><b>{report["failed_callbacks"]["count"]}</b><span>failed callbacks</span></div>'
        f'<div class="tile"><b>{report["unlinked"]}</b><span>matches unlinked by the operator</span></div>'
        + (f'<div class="tile"><b>{drift}</b><span>read-model items repaired</span></div>' if drift is not None else "")
    )
    failures = (
        "".join(
            f"<tr><td><code>{escape(item['bank_payment_id'])}</code></td><td>{escape(item['party_kind'])}</td>"
            f'<td class="n">{item["attempts"]}</td><td>{escape(item["last_error"] or "")}</td>'
            f"<td>{escape(item['failed_at'][:19])}</td></tr>"
            for item in report["failed_callbacks"]["items"]
        )
        or '<tr><td colspan="5">None.</td></tr>'
    )
    scope = report["scope"]
    who = "all parties (operator)" if scope["kind"] == "operator" else f"{scope['kind']} {scope['id']}"
    rate = report["match_rate"]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>Reconciliation · {escape(report['date'])}</title><style>{_DASHBOARD_STYLE}</style></head><body><main>"
        f'<h1>Reconciliation · {escape(report["date"])}</h1><div class="meta">Scope: {escape(who)}</div>'
        f'<h2>Daily match rate ({escape(rate["of"])})</h2><div class="panel">{_bars(rate["days"])}</div>'
        f'<h2>Matched, by rule</h2><div class="tiles">{matched}</div>'
        f'<h2>Waiting</h2><div class="tiles">{waiting}</div>'
        f'<h2>Health</h2><div class="tiles">{health}</div>'
        '<h2>Failed callbacks</h2><div class="panel"><table><tr><th>Bank payment</th><th>Party</th>'
        f'<th class="n">Attempts</th><th>Last error</th><th>Failed at</th></tr>{failures}</table></div>'
        + (f"<h2>Ambiguous</h2>{_ambiguity_sets(ambiguity_sets)}" if ambiguity_sets is not None else "")
        + (f"<h2>Latest privileged actions</h2>{_audit_entries(audit_entries)}" if audit_entries is not None else "")
        + "</main></body></html>"
    )
