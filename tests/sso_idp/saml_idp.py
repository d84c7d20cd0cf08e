#!/usr/bin/env python3
"""A test SAML identity provider for porch's app and end-to-end tests: it makes a signing key
and mints signed SAML responses for the HTTP-POST binding, the way an IdP answers an
AuthnRequest (or sends an unsolicited, IdP-initiated response).

    saml_idp.py keys DIR [--ec] [--not-after-ms MS]
        writes DIR/idp.key.pem and DIR/idp.cert.pem (RSA-2048, or ECDSA P-256 with --ec;
        self-signed; test only), valid until MS (default: 30 days from this machine's clock)
    saml_idp.py respond --dir DIR --idp ENTITY --audience SP_ENTITY --acs ACS_URL --email EMAIL
                        [--name NAME] [--in-response-to ID] [--attribute NAME=VALUE ...]
                        [--now-ms MS] [--assertion-id ID] [--name-id-format URI]
                        [--encrypt-to SP_CERT_PEM [--content C] [--transport T]]
        prints the base64 SAMLResponse: the assertion signed (RSA-SHA256 or ECDSA-SHA256 by
        the key's type, exclusive C14N),
        valid from one minute before "now" (default: this machine's clock) for five minutes;
        with --encrypt-to, the signed assertion encrypted to that SP certificate's RSA key
        (xml_encryption.py: C one of aes128-gcm, aes256-gcm, aes128-cbc, aes256-cbc; T one of
        mgf1p-sha1, mgf1p-default, oaep11-sha256-mgf1sha1, oaep11-sha256-mgf1sha256)

Needs PyPI `lxml`, `cryptography` and `signxml` (tests/fixtures/sso/requirements.txt). The
verifier's own conformance fixtures are tests/fixtures/sso/saml_fixtures.py; this is only a
peer for sign-in flows.
"""

import argparse
import base64
import datetime
import os
import sys
import uuid
import warnings
from xml.sax.saxutils import escape, quoteattr

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner, methods

from xml_encryption import CONTENT, TRANSPORT, encrypt_assertion

warnings.filterwarnings("ignore")

NS_P = "urn:oasis:names:tc:SAML:2.0:protocol"
NS_A = "urn:oasis:names:tc:SAML:2.0:assertion"
NS_DS = "http://www.w3.org/2000/09/xmldsig#"
EXC = "http://www.w3.org/2001/10/xml-exc-c14n#"


def keys(directory, elliptic, not_after_ms=None):
    os.makedirs(directory, exist_ok=True)
    if elliptic:
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "porch test IdP")])
    now = datetime.datetime.now(datetime.timezone.utc)
    if not_after_ms is None:
        not_after = now + datetime.timedelta(days=30)
    else:
        not_after = datetime.datetime.fromtimestamp(not_after_ms / 1000, datetime.timezone.utc)
    not_before = min(now - datetime.timedelta(days=1), not_after - datetime.timedelta(days=365))
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    with open(os.path.join(directory, "idp.key.pem"), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with open(os.path.join(directory, "idp.cert.pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def instant(now, seconds):
    return (now + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def respond(args):
    if args.now_ms is None:
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    else:
        now = datetime.datetime.fromtimestamp(args.now_ms / 1000, datetime.timezone.utc).replace(microsecond=0)
    irt = f" InResponseTo={quoteattr(args.in_response_to)}" if args.in_response_to else ""
    attributes = [("email", args.email)] + ([("name", args.name)] if args.name else [])
    attributes += [tuple(pair.split("=", 1)) for pair in args.attribute]
    statement = "".join(
        f'<saml:Attribute Name={quoteattr(name)}><saml:AttributeValue>{escape(value)}</saml:AttributeValue></saml:Attribute>'
        for name, value in attributes
    )
    assertion_id = args.assertion_id or f"_a{uuid.uuid4().hex}"
    assertion = f"""<saml:Assertion xmlns:saml="{NS_A}" ID={quoteattr(assertion_id)} Version="2.0" IssueInstant="{instant(now, 0)}">
    <saml:Issuer>{escape(args.idp)}</saml:Issuer>
    <saml:Subject>
      <saml:NameID Format={quoteattr(args.name_id_format)}>{escape(args.email)}</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData{irt} NotOnOrAfter="{instant(now, 300)}" Recipient={quoteattr(args.acs)}/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotBefore="{instant(now, -60)}" NotOnOrAfter="{instant(now, 300)}">
      <saml:AudienceRestriction><saml:Audience>{escape(args.audience)}</saml:Audience></saml:AudienceRestriction>
    </saml:Conditions>
    <saml:AuthnStatement AuthnInstant="{instant(now, 0)}" SessionIndex="_s1">
      <saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>
    </saml:AuthnStatement>
    <saml:AttributeStatement>{statement}</saml:AttributeStatement>
  </saml:Assertion>"""
    element = etree.fromstring(assertion.encode())
    placeholder = etree.Element(f"{{{NS_DS}}}Signature", Id="placeholder", nsmap={"ds": NS_DS})
    element.find(f"{{{NS_A}}}Issuer").addnext(placeholder)
    with open(os.path.join(args.dir, "idp.key.pem"), "rb") as f:
        key = f.read()
    with open(os.path.join(args.dir, "idp.cert.pem"), "rb") as f:
        cert = f.read().decode()
    elliptic = isinstance(serialization.load_pem_private_key(key, None), ec.EllipticCurvePrivateKey)
    algorithm = "ecdsa-sha256" if elliptic else "rsa-sha256"
    signer = XMLSigner(method=methods.enveloped, signature_algorithm=algorithm, digest_algorithm="sha256", c14n_algorithm=EXC)
    signed = signer.sign(element, key=key, cert=cert, reference_uri=assertion_id)
    response = etree.fromstring(
        f"""<samlp:Response xmlns:samlp="{NS_P}" xmlns:saml="{NS_A}" ID="_r{uuid.uuid4().hex}" Version="2.0" IssueInstant="{instant(now, 0)}" Destination={quoteattr(args.acs)}{irt}>
  <saml:Issuer>{escape(args.idp)}</saml:Issuer>
  <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
  <saml:Assertion/>
</samlp:Response>""".encode()
    )
    stub = response.find(f"{{{NS_A}}}Assertion")
    if args.encrypt_to:
        with open(args.encrypt_to, "rb") as f:
            sp_key = x509.load_pem_x509_certificate(f.read()).public_key()
        signed = encrypt_assertion(signed, [sp_key], args.content, args.transport)
    response.replace(stub, signed)
    sys.stdout.write(base64.b64encode(etree.tostring(response)).decode())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    keys_command = commands.add_parser("keys")
    keys_command.add_argument("dir")
    keys_command.add_argument("--ec", action="store_true")
    keys_command.add_argument("--not-after-ms", type=int)
    mint = commands.add_parser("respond")
    mint.add_argument("--dir", required=True)
    mint.add_argument("--idp", required=True)
    mint.add_argument("--audience", required=True)
    mint.add_argument("--acs", required=True)
    mint.add_argument("--email", required=True)
    mint.add_argument("--name")
    mint.add_argument("--in-response-to")
    mint.add_argument("--attribute", action="append", default=[])
    mint.add_argument("--now-ms", type=int)
    mint.add_argument("--assertion-id")
    mint.add_argument("--name-id-format", default="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
    mint.add_argument("--encrypt-to")
    mint.add_argument("--content", choices=sorted(CONTENT), default="aes256-gcm")
    mint.add_argument("--transport", choices=sorted(TRANSPORT), default="oaep11-sha256-mgf1sha256")
    args = parser.parse_args()
    if args.command == "keys":
        keys(args.dir, args.ec, args.not_after_ms)
    else:
        respond(args)


if __name__ == "__main__":
    main()
