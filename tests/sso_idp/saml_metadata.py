#!/usr/bin/env python3
"""The IdP-side peer for porch's SP keys and metadata import tests (tests/saml_sp.rs), with
code independent of porch's Rust (lxml, signxml, cryptography):

    saml_metadata.py idp --dir DIR --entity ENTITY --sso-url URL [--want-signed]
                         [--sign-with DIR2] [--valid-until ISO]
        prints IdP metadata (EntityDescriptor) naming DIR's certificate (from
        `saml_idp.py keys DIR`) as the signing key; with --sign-with, the EntityDescriptor
        carries an enveloped RSA-SHA256 signature by DIR2's key (exclusive C14N)
    saml_metadata.py verify-redirect --certificate B64 --query QUERY
        checks, as an IdP does (SAML Bindings 2.0 §3.4.4.1), the Signature of an
        HTTP-Redirect query: RSA-SHA256 over `SAMLRequest=..&RelayState=..&SigAlg=..` as
        sent, with the public key of the base64 DER certificate (which must be self-signed
        by that key); prints "verified" or exits 1 with the reason
"""

import argparse
import base64
import os
import sys
import urllib.parse
import uuid
import warnings
from xml.sax.saxutils import quoteattr

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree
from signxml import XMLSigner, methods

warnings.filterwarnings("ignore")

NS_MD = "urn:oasis:names:tc:SAML:2.0:metadata"
NS_DS = "http://www.w3.org/2000/09/xmldsig#"
EXC = "http://www.w3.org/2001/10/xml-exc-c14n#"
SIG_ALG = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


def certificate_base64(directory):
    with open(os.path.join(directory, "idp.cert.pem")) as f:
        pem = f.read()
    return "".join(line for line in pem.splitlines() if "-----" not in line)


def idp(args):
    descriptor_id = f"_m{uuid.uuid4().hex}"
    valid_until = f" validUntil={quoteattr(args.valid_until)}" if args.valid_until else ""
    want = ' WantAuthnRequestsSigned="true"' if args.want_signed else ""
    xml = f"""<md:EntityDescriptor xmlns:md="{NS_MD}" ID="{descriptor_id}" entityID={quoteattr(args.entity)}{valid_until}>
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"{want}>
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="{NS_DS}"><ds:X509Data><ds:X509Certificate>{certificate_base64(args.dir)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location={quoteattr(args.sso_url + "/post")}/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location={quoteattr(args.sso_url)}/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""
    if not args.sign_with:
        sys.stdout.write(xml)
        return
    element = etree.fromstring(xml.encode())
    placeholder = etree.Element(f"{{{NS_DS}}}Signature", Id="placeholder", nsmap={"ds": NS_DS})
    element.insert(0, placeholder)
    with open(os.path.join(args.sign_with, "idp.key.pem"), "rb") as f:
        key = f.read()
    with open(os.path.join(args.sign_with, "idp.cert.pem"), "rb") as f:
        cert = f.read().decode()
    signer = XMLSigner(method=methods.enveloped, signature_algorithm="rsa-sha256", digest_algorithm="sha256", c14n_algorithm=EXC)
    signed = signer.sign(element, key=key, cert=cert, reference_uri=descriptor_id)
    sys.stdout.write(etree.tostring(signed).decode())


def verify_redirect(args):
    certificate = x509.load_der_x509_certificate(base64.b64decode(args.certificate))
    public_key = certificate.public_key()
    # The certificate is porch's self-signed one: its own key must have signed it.
    public_key.verify(certificate.signature, certificate.tbs_certificate_bytes, padding.PKCS1v15(), certificate.signature_hash_algorithm)
    pairs = args.query.split("&")
    signature = [p for p in pairs if p.startswith("Signature=")]
    if len(signature) != 1:
        sys.exit("no single Signature parameter")
    # §3.4.4.1: the signed octets are the parameters in this order, as they were encoded.
    wanted = [p for name in ("SAMLRequest", "RelayState", "SigAlg") for p in pairs if p.startswith(name + "=")]
    if urllib.parse.unquote(wanted[-1].split("=", 1)[1]) != SIG_ALG:
        sys.exit("SigAlg is not RSA-SHA256")
    signed = "&".join(wanted).encode()
    value = base64.b64decode(urllib.parse.unquote(signature[0].split("=", 1)[1]))
    try:
        public_key.verify(value, signed, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        sys.exit("the signature does not verify")
    sys.stdout.write("verified")


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    metadata = commands.add_parser("idp")
    metadata.add_argument("--dir", required=True)
    metadata.add_argument("--entity", required=True)
    metadata.add_argument("--sso-url", required=True)
    metadata.add_argument("--want-signed", action="store_true")
    metadata.add_argument("--sign-with")
    metadata.add_argument("--valid-until")
    verify = commands.add_parser("verify-redirect")
    verify.add_argument("--certificate", required=True)
    verify.add_argument("--query", required=True)
    args = parser.parse_args()
    if args.command == "idp":
        idp(args)
    else:
        verify_redirect(args)


if __name__ == "__main__":
    main()
