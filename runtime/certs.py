"""Development certificates, made with openssl: a CA, the gateway's server certificate,
and a bank's client certificate signed by the same CA.

    make certs                                # into certs/
    python -m runtime.certs --out DIR --bank-name "Example Bank" [--host example.test]

Then serve HTTPS, with client certificates on banks' routes (docs/security.md):

    GATEWAY_TLS_CERT=certs/gateway.pem GATEWAY_TLS_KEY=certs/gateway.key \\
    GATEWAY_CLIENT_CA=certs/ca.pem OUTBOUND_CA_BUNDLE=certs/ca.pem make run

For development only: a deployment's certificates come from its own CA.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

DAYS = 397  # what browsers accept for a server certificate
_EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]


@dataclass(frozen=True)
class Certificates:
    ca: Path
    gateway_cert: Path
    gateway_key: Path
    bank_cert: Path
    bank_key: Path
    bank_subject: str  # as the gateway names it (RFC 2253): what a bank is bound to


def _openssl(*args: str | Path) -> str:
    if shutil.which("openssl") is None:
        raise SystemExit("openssl is not installed: apt-get install openssl")
    return subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True, text=True).stdout


def _sign(out: Path, name: str, subject: str, extensions: str) -> None:
    """A key and a certificate for subject, signed by out's CA."""
    with tempfile.TemporaryDirectory() as scratch:
        request, extfile = Path(scratch) / "request.csr", Path(scratch) / "extensions.cnf"
        extfile.write_text(
            extensions + "\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\nbasicConstraints=CA:FALSE\n"
        )
        _openssl("req", "-new", *_EC_KEY, "-keyout", out / f"{name}.key", "-out", request, "-subj", subject)
        (out / f"{name}.key").chmod(0o600)
        _openssl(
            "x509", "-req", "-in", request, "-CA", out / "ca.pem", "-CAkey", out / "ca.key", "-set_serial",
            f"0x{os.urandom(16).hex()}", "-days", DAYS, "-sha256",
            "-extfile", extfile, "-out", out / f"{name}.pem",
        )  # fmt: skip


def subject(certificate: Path) -> str:
    """The certificate's subject as RFC 2253 writes it (and nginx's $ssl_client_s_dn)."""
    return (
        _openssl("x509", "-in", certificate, "-noout", "-subject", "-nameopt", "RFC2253")
        .strip()
        .removeprefix("subject=")
    )


def make(out: Path, bank_name: str = "Demo Bank", hosts: tuple[str, ...] = ()) -> Certificates:
    """A CA, the gateway's certificate (for localhost, 127.0.0.1, the compose service
    `gateway` and hosts) and a client certificate for bank_name, in out."""
    out.mkdir(parents=True, exist_ok=True)
    _openssl(
        "req", "-x509", *_EC_KEY, "-keyout", out / "ca.key", "-out", out / "ca.pem", "-days", DAYS, "-sha256",
        "-subj", "/O=Receipts development/CN=Receipts development CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    (out / "ca.key").chmod(0o600)
    names = ",".join(["DNS:localhost", "DNS:gateway", "IP:127.0.0.1", *(f"DNS:{host}" for host in hosts)])
    _sign(out, "gateway", "/CN=localhost", f"subjectAltName={names}\nextendedKeyUsage=serverAuth")
    bank_cert, bank_key = client_certificate(out, "bank", bank_name)
    return Certificates(
        out / "ca.pem", out / "gateway.pem", out / "gateway.key", bank_cert, bank_key, subject(bank_cert)
    )


def client_certificate(out: Path, name: str, bank_name: str) -> tuple[Path, Path]:
    """A client certificate for bank_name's core system, signed by out's CA: name.pem, name.key."""
    _sign(out, name, f"/O={bank_name}/CN={bank_name} core system", "extendedKeyUsage=clientAuth")
    return out / f"{name}.pem", out / f"{name}.key"


def main() -> None:
    parser = argparse.ArgumentParser(description="Development certificates: a CA, the gateway's, a bank's.")
    parser.add_argument("--out", type=Path, default=Path("certs"))
    parser.add_argument("--bank-name", default="Demo Bank")
    parser.add_argument("--host", action="append", default=[], help="another name the gateway answers to")
    args = parser.parse_args()
    made = make(args.out, args.bank_name, tuple(args.host))
    print(f"CA {made.ca}; gateway {made.gateway_cert} ({made.gateway_key}); bank {made.bank_cert} ({made.bank_key})")
    print(f'bind the bank to it: PATCH /v1/admin/banks/{{id}} {{"client_cert_subject": "{made.bank_subject}"}}')


if __name__ == "__main__":
    main()
