"""The README's curl calls work exactly as printed, against a platform `make run` starts
(and, in tests/containers, against compose); so do the guides' blocks marked runnable."""

import json
import re
import subprocess
from dataclasses import dataclass

from tests.conftest import ROOT
from tests.support import ADMIN_API_KEY, bearer, remember, wait_until

# The reads follow the writes through the event path (projection, matching, its
# projection, the bank's callback): wait until the statement and the simulated bank's
# view show the receipt under the payment.
WAIT_UNTIL_MATCHED = """
until curl -sS $API/v1/accounts/acct-7f3a/payments -H "Authorization: Bearer $BANK_KEY" | grep -q POS-000123
do sleep 0.05; done
until curl -sS $API/sim/bank/accounts/acct-7f3a | grep -q POS-000123; do sleep 0.05; done
"""


def readme_block(marker: str) -> str:
    readme = (ROOT / "README.md").read_text()
    return re.search(rf"<!-- {marker}:.*?-->\n```sh\n(.*?)```", readme, re.S).group(1)


@dataclass
class Flow:
    merchant: dict
    bank: dict
    handed_over: list[dict]
    receipt: dict
    payment: dict
    receipts: dict
    statement: dict
    bank_view: dict


def readme_script(api: str, sim: str) -> str:
    """The README's *Try it* block, waiting until its pair is matched, with the platform at
    api and the simulators at sim."""
    return (
        (readme_block("readme-curl") + WAIT_UNTIL_MATCHED)
        .replace("SIM=http://127.0.0.1:8080/sim", f"SIM={sim}")
        .replace("API=http://127.0.0.1:8080", f"API={api}")
    )


def run_script(script: str, timeout: float) -> subprocess.CompletedProcess:
    script = script.replace("dev-admin-key", ADMIN_API_KEY)
    return subprocess.run(
        ["timeout", str(timeout), "bash", "-euo", "pipefail", "-c", script], cwd=ROOT, capture_output=True, text=True
    )


def run_readme(api: str, sim: str, timeout: float = 90) -> Flow:
    """The README's two blocks, with the platform at api and the simulators at sim."""
    result = run_script(readme_script(api, sim) + readme_block("readme-curl-read"), timeout)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    merchant, bank, *handed_over, receipt, payment, receipts, statement, bank_view = answers
    remember(
        merchant["api_key"], merchant["webhook_secret"], bank["api_key"], bank["webhook_secret"], "4123450000001234"
    )
    return Flow(merchant, bank, handed_over, receipt, payment, receipts, statement, bank_view)


def check(flow: Flow) -> None:
    assert flow.merchant["api_key"].startswith("rcpt_mk_") and flow.bank["api_key"].startswith("rcpt_bk_")
    assert flow.handed_over == [
        {"kind": "merchant", "id": flow.merchant["id"]},
        {"kind": "bank", "id": flow.bank["id"]},
    ]
    assert flow.receipt["status"] == "unmatched" and flow.receipt["merchant_receipt_id"] == "POS-000123"
    assert flow.payment["masked_pan"] == "412345******1234" and flow.payment["bank_payment_id"] == "TXN-98765"
    assert [(item["id"], item["status"]) for item in flow.receipts["items"]] == [(flow.receipt["id"], "matched")]
    [item] = flow.statement["items"]
    assert item["id"] == flow.payment["id"] and item["status"] == "matched"
    assert item["receipt"]["id"] == flow.receipt["id"] and item["receipt"]["lines"][0]["description"] == "Espresso"
    [called_back] = flow.bank_view["payments"]  # the itemised receipt reached the bank
    assert called_back["payment_id"] == flow.payment["id"] and called_back["receipt"]["id"] == flow.receipt["id"]


def test_the_readme_curl_calls_onboard_submit_and_call_back(platform):
    check(run_readme(platform.url, f"{platform.url}/sim"))


def test_the_readme_curl_calls_take_and_give_the_tills_formats(platform):
    """The README's formats block after *Try it*: a Kivra and an ARTS document in, the
    matched receipt out as both, each valid against its owner's schema."""
    from shared.formats import arts, kivra

    script = readme_script(platform.url, f"{platform.url}/sim") + readme_block("readme-curl-read")
    result = run_script(script + 'echo "--- formats"\n' + readme_block("readme-curl-formats"), timeout=120)
    assert result.returncode == 0, result.stderr[-4000:]
    answers = [line for line in result.stdout.split("--- formats\n", 1)[1].splitlines() if line.strip()]
    taken_kivra, taken_arts, *arts_out, merchant_endpoint, kivra_out = answers
    arts_out = "\n".join(arts_out)  # the XML declaration on its own line, then the document
    assert json.loads(taken_kivra)["merchant_receipt_id"] == "0144079"
    assert json.loads(taken_arts)["merchant_receipt_id"] == "POS-000124"
    assert arts.schema_violations(arts.parse(arts_out.encode())) == [] and "<ReceiptNumber>POS-000123<" in arts_out
    assert "callback_url" in json.loads(merchant_endpoint)
    document = json.loads(kivra_out)
    assert kivra.schema_violations(document) == [] and document["items"][0]["description"] == "Espresso"


def test_the_readme_wallet_pair_matches_on_its_par_and_is_found_by_the_cards_number(platform, http):
    script = (
        readme_script(platform.url, f"{platform.url}/sim") + 'echo "--- wallet"\n' + readme_block("readme-curl-wallet")
    )
    result = run_script(script, timeout=90)
    assert result.returncode == 0, result.stderr[-4000:]
    receipt, payment, found = (json.loads(line) for line in result.stdout.split("--- wallet\n", 1)[1].splitlines())
    remember("4895370000004821")
    assert payment["masked_pan"] == "412345******1234"
    assert found["receipt"]["id"] == receipt["id"]
    bank_key = json.loads(result.stdout.splitlines()[1])["api_key"]

    def on_statement():
        answer = http.get(f"{platform.url}/v1/accounts/acct-7f3a/payments", headers=bearer(bank_key)).json()
        return next((item for item in answer["items"] if item["id"] == payment["id"] and item["receipt"]), None)

    item = wait_until(on_statement, message="the wallet pair on the statement")
    assert (item["receipt"]["id"], item["match_rule"], item["card_key"]) == (receipt["id"], "exact", "par")
    assert item["token"] == {"masked_pan": "489537******4821", "wallet": "apple_pay"}


def runnable_blocks() -> list[tuple[str, str]]:
    """(guide, shell block) of every block the guides in docs/ mark runnable, in order."""
    return [
        (guide.name, block)
        for guide in sorted((ROOT / "docs").glob("*.md"))
        for block in re.findall(r"^<!-- runnable -->\n```sh\n(.*?)^```", guide.read_text(), re.S | re.M)
    ]


def test_the_guides_runnable_blocks_run_after_the_readme(platform):
    blocks = runnable_blocks()
    assert {guide for guide, _ in blocks} == {
        "api.md",
        "callbacks.md",
        "clients.md",
        "matching.md",
        "operations.md",
        "simulation.md",
    }
    script = readme_script(platform.url, f"{platform.url}/sim") + "".join(
        f'echo "--- docs/{guide}, runnable block {number}" >&2\n{block}'
        for number, (guide, block) in enumerate(blocks, 1)
    )
    result = run_script(script, timeout=180)
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stderr.count("--- docs/") == len(blocks)  # every block ran
    assert re.search(r'"match_rule": ?"exact"', result.stdout)  # the look-up found the README's receipt
