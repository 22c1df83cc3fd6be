"""The README's curl calls work exactly as printed, against a platform `make run` starts."""

import json
import re
import subprocess

from tests.conftest import ROOT
from tests.support import ADMIN_API_KEY, remember


# The reads follow the writes through the event path (projection, then matching and its
# projection): wait until the statement shows the receipt under the payment.
WAIT_UNTIL_PROJECTED = """
until curl -sS http://127.0.0.1:8080/v1/accounts/acct-7f3a/payments -H "Authorization: Bearer $BANK_KEY" |
      grep -q POS-000123
do sleep 0.05; done
"""


def readme_block(marker: str) -> str:
    readme = (ROOT / "README.md").read_text()
    return re.search(rf"<!-- {marker}:.*?-->\n```sh\n(.*?)```", readme, re.S).group(1)


def test_the_readme_curl_calls_onboard_and_submit(platform):
    script = (
        (readme_block("readme-curl") + WAIT_UNTIL_PROJECTED + readme_block("readme-curl-read"))
        # The test platform listens on its own port, with the test operator key.
        .replace("http://127.0.0.1:8080", platform.url)
        .replace("dev-admin-key", ADMIN_API_KEY)
    )
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    merchant, bank, receipt, payment, receipts, statement = [
        json.loads(line) for line in result.stdout.splitlines() if line.strip()
    ]
    remember(merchant["api_key"], merchant["webhook_secret"], bank["api_key"], bank["webhook_secret"], "4123450000001234")
    assert merchant["api_key"].startswith("mk_") and bank["api_key"].startswith("bk_")
    assert receipt["status"] == "unmatched" and receipt["merchant_receipt_id"] == "POS-000123"
    assert payment["masked_pan"] == "412345******1234" and payment["bank_payment_id"] == "TXN-98765"
    assert [(item["id"], item["status"]) for item in receipts["items"]] == [(receipt["id"], "matched")]
    [item] = statement["items"]
    assert item["id"] == payment["id"] and item["status"] == "matched"
    assert item["receipt"]["id"] == receipt["id"] and item["receipt"]["lines"][0]["description"] == "Espresso"
