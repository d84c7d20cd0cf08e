"""XML Encryption 1.1 (https://www.w3.org/TR/xmlenc-core1/) of a SAML assertion, for porch's
test identity providers: an saml:EncryptedAssertion with the content under AES-GCM or AES-CBC
and the content key wrapped with RSA-OAEP to one or more SP keys. Written with lxml and
cryptography only, so every algorithm and placement is exactly the one named (xmlsec1
--decrypt reads what this writes: tests/fixtures/sso/saml_fixtures.py checks it).
"""

import base64
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from lxml import etree

NS_A = "urn:oasis:names:tc:SAML:2.0:assertion"
NS_DS = "http://www.w3.org/2000/09/xmldsig#"

NS_XENC = "http://www.w3.org/2001/04/xmlenc#"
NS_XENC11 = "http://www.w3.org/2009/xmlenc11#"
CONTENT = {
    "aes128-gcm": NS_XENC11 + "aes128-gcm",
    "aes256-gcm": NS_XENC11 + "aes256-gcm",
    "aes128-cbc": NS_XENC + "aes128-cbc",
    "aes256-cbc": NS_XENC + "aes256-cbc",
}
# name: (transport URI, OAEP digest, MGF1 digest, write DigestMethod, write MGF)
TRANSPORT = {
    "mgf1p-sha1": (NS_XENC + "rsa-oaep-mgf1p", hashes.SHA1, hashes.SHA1, True, False),
    "mgf1p-default": (NS_XENC + "rsa-oaep-mgf1p", hashes.SHA1, hashes.SHA1, False, False),
    "oaep11-sha256-mgf1sha1": (NS_XENC11 + "rsa-oaep", hashes.SHA256, hashes.SHA1, True, False),
    "oaep11-sha256-mgf1sha256": (NS_XENC11 + "rsa-oaep", hashes.SHA256, hashes.SHA256, True, True),
}
DIGEST_URI = {hashes.SHA1: "http://www.w3.org/2000/09/xmldsig#sha1", hashes.SHA256: "http://www.w3.org/2001/04/xmlenc#sha256"}
MGF_URI = {hashes.SHA1: NS_XENC11 + "mgf1sha1", hashes.SHA256: NS_XENC11 + "mgf1sha256"}


def encrypt_content(content, key, plaintext):
    if content.endswith("gcm"):
        iv = os.urandom(12)
        return iv + AESGCM(key).encrypt(iv, plaintext, None)
    iv = os.urandom(16)
    # XML Encryption §5.2: padding bytes are arbitrary, the last one counts them.
    pad = 16 - len(plaintext) % 16
    padded = plaintext + os.urandom(pad - 1) + bytes([pad])
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return iv + encryptor.update(padded) + encryptor.finalize()


def encrypted_key_element(public_key, content_key, transport):
    uri, digest, mgf, write_digest, write_mgf = TRANSPORT[transport]
    wrapped = public_key.encrypt(content_key, padding.OAEP(mgf=padding.MGF1(algorithm=mgf()), algorithm=digest(), label=None))
    ek = etree.Element(f"{{{NS_XENC}}}EncryptedKey", nsmap={"xenc": NS_XENC})
    method = etree.SubElement(ek, f"{{{NS_XENC}}}EncryptionMethod", Algorithm=uri)
    if write_digest:
        etree.SubElement(method, f"{{{NS_DS}}}DigestMethod", Algorithm=DIGEST_URI[digest], nsmap={"ds": NS_DS})
    if write_mgf:
        etree.SubElement(method, f"{{{NS_XENC11}}}MGF", Algorithm=MGF_URI[mgf], nsmap={"xenc11": NS_XENC11})
    data = etree.SubElement(ek, f"{{{NS_XENC}}}CipherData")
    etree.SubElement(data, f"{{{NS_XENC}}}CipherValue").text = base64.b64encode(wrapped).decode()
    return ek


def encrypt_assertion(assertion, public_keys, content="aes128-gcm", transport="oaep11-sha256-mgf1sha256", placement="key_info", plaintext=None):
    """An saml:EncryptedAssertion holding `assertion` (an element, serialised standalone, so
    it declares its own namespaces) encrypted under a fresh content key wrapped to each of
    `public_keys`. `placement`: EncryptedKey inside the EncryptedData's KeyInfo, or beside it
    with a RetrievalMethod pointing at it."""
    if plaintext is None:
        plaintext = etree.tostring(assertion)
    content_key = os.urandom(16 if content.startswith("aes128") else 32)
    ea = etree.Element(f"{{{NS_A}}}EncryptedAssertion", nsmap={"saml": NS_A})
    ed = etree.SubElement(ea, f"{{{NS_XENC}}}EncryptedData", Type=NS_XENC + "Element", nsmap={"xenc": NS_XENC})
    etree.SubElement(ed, f"{{{NS_XENC}}}EncryptionMethod", Algorithm=CONTENT[content])
    key_info = etree.SubElement(ed, f"{{{NS_DS}}}KeyInfo", nsmap={"ds": NS_DS})
    keys = [encrypted_key_element(k, content_key, transport) for k in public_keys]
    if placement == "key_info":
        for ek in keys:
            key_info.append(ek)
    else:
        for i, ek in enumerate(keys):
            ek.set("Id", f"_ek{i}")
            etree.SubElement(key_info, f"{{{NS_DS}}}RetrievalMethod", URI=f"#_ek{i}", Type=NS_XENC + "EncryptedKey")
    cipher_data = etree.SubElement(ed, f"{{{NS_XENC}}}CipherData")
    etree.SubElement(cipher_data, f"{{{NS_XENC}}}CipherValue").text = base64.b64encode(encrypt_content(content, content_key, plaintext)).decode()
    if placement != "key_info":
        for ek in keys:
            ea.append(ek)
    return ea
