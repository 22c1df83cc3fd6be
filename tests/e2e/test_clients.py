"""The Python client as an integrator installs it (pip install ./clients/python, into a
fresh venv), driving a pair against the running platform: onboarding, a receipt in JSON and
in both tills' formats, a payment, the match on the statement, the receipt in each
representation, a verified callback and the API's errors as typed exceptions."""

import json
import re
import shutil
import subprocess
import sys

import pytest

from shared.entrypoints.openapi import OPERATIONS
from tests.conftest import ROOT
from tests.e2e.test_formats import IDENTITY, on_a_day_of_its_own
from tests.support import ADMIN_API_KEY, LOCAL_CALLBACK, payment_body, random_pan, receipt_body
from tests.unit.test_formats import ARTS_SALE, KIVRA_SALE

STANDARDWEBHOOKS = re.search(r"^standardwebhooks==\S+", (ROOT / "requirements-dev.txt").read_text(), re.M)[0]


@pytest.fixture(scope="module")
def client_python(tmp_path_factory):
    """A fresh venv with the client installed from a copy of clients/python (a build leaves
    its folders beside the source) and the Standard Webhooks library its README uses."""
    root = tmp_path_factory.mktemp("client")
    source = shutil.copytree(
        ROOT / "clients" / "python",
        root / "source",
        ignore=shutil.ignore_patterns("build", "*.egg-info", ".mypy_cache", "__pycache__"),
    )
    subprocess.run([sys.executable, "-m", "venv", root / "venv"], check=True)
    subprocess.run(
        [root / "venv" / "bin" / "pip", "install", "--quiet", "--disable-pip-version-check", source, STANDARDWEBHOOKS],
        check=True,
    )
    return root / "venv" / "bin" / "python"


IMPORT_EVERY_MODULE = """
import importlib, importlib.resources, pkgutil, receipts_platform_client, receipts_platform_helpers
names = [module.name for module in pkgutil.walk_packages(receipts_platform_client.__path__, "receipts_platform_client.")]
for name in names:
    importlib.import_module(name)
packages = ("receipts_platform_client", "receipts_platform_helpers")
typed = all(importlib.resources.files(package).joinpath("py.typed").is_file() for package in packages)
print(len(names), typed)
"""


def test_every_module_of_the_installed_client_imports(client_python):
    ran = subprocess.run([client_python, "-c", IMPORT_EVERY_MODULE], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr[-4000:]
    package = ROOT / "clients" / "python" / "receipts_platform_client"
    modules = [path for path in package.rglob("*.py") if path.name != "__init__.py"] + list(
        package.rglob("*/__init__.py")
    )
    assert len(list((package / "api" / "default").glob("[a-z]*.py"))) == len(OPERATIONS)
    assert ran.stdout.split() == [str(len(modules)), "True"]  # every module the source has, and both marked typed


def test_a_pair_through_the_installed_client(platform, client_python):
    pan = random_pan()
    given = {
        "url": platform.url,
        "admin_key": ADMIN_API_KEY,
        "identity": IDENTITY,
        "receipt": receipt_body(pan=pan),
        "payment": payment_body(pan=pan),
        "kivra": json.loads(on_a_day_of_its_own(KIVRA_SALE.read_bytes(), "2018-11-09")[0]),
        "arts": on_a_day_of_its_own(ARTS_SALE.read_bytes(), "2018-01-08")[0].decode(),
    }
    ran = subprocess.run(
        [client_python, ROOT / "tests" / "e2e" / "client_pair.py"],
        input=json.dumps(given),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr[-4000:]
    seen = json.loads(ran.stdout)

    receipt_id = seen["receipt_id"]
    assert seen["statement"] == [[seen["payment_id"], receipt_id]]
    assert seen["view"] == {"id": receipt_id, "status": "matched", "total": given["receipt"]["totals"]["total"]}
    assert "<html" in seen["page"] and "Espresso" in seen["page"]
    assert seen["kivra"]["items"][0]["description"] == "Espresso"
    assert 'xmlns="http://www.nrf-arts.org/IXRetail/namespace/"' in seen["arts"] and "Espresso" in seen["arts"]
    assert seen["callback"] == {
        "path": "/bank",
        "id": seen["callback"]["id"],
        "type": "receipt.matched",
        "payment_id": seen["payment_id"],
        "receipt_id": receipt_id,
        "html": f"{platform.url}/v1/receipts/{receipt_id}/html",
    }
    assert seen["forgery"] == "refused"
    # Three receipts of the merchant's, read two to a page: the pager followed the cursor.
    assert seen["merchant_receipts"] == sorted([receipt_id, seen["kivra_receipt_id"], seen["arts_receipt_id"]])
    assert seen["invalid"] == {
        "status": 422,
        "code": "validation_failed",
        "details": ["total_mismatch", "payments_total_mismatch"],  # the total, and the tenders that paid it
    }
    assert seen["unknown_key"] == {"status": 401, "code": "invalid_key"}


def test_the_pair_in_docs_clients_runs_as_printed(platform, client_python):
    guide = (ROOT / "docs" / "clients.md").read_text()
    block = re.search(r"<!-- client-pair:.*?-->\n```python\n(.*?)```", guide, re.S).group(1)
    for receiver in ("https://till.example/callbacks", "https://bank.example/callbacks"):
        block = block.replace(receiver, LOCAL_CALLBACK)  # nothing leaves this machine
    ran = subprocess.run(
        [client_python, "-c", block],
        env={"API": platform.url, "ADMIN_API_KEY": ADMIN_API_KEY},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr[-4000:]
    assert ran.stdout == "Espresso\n"
