#!/usr/bin/env python3
"""A small OpenID provider on loopback for porch's end-to-end tests. Test-only: never deploy.

It runs the authorization code flow with PKCE (OpenID Connect Core 1.0 §3.1, RFC 7636) the
way a real provider does, with no login screen: /authorize vouches at once for the person
named by `login_hint` (default ada@example.com) and redirects back with a code.

    python oidc_idp.py --port N --key KEY --client-id X --client-secret Y
    python oidc_idp.py --config idp.json        # the same settings as a JSON object
    python oidc_idp.py --self-test              # discovery -> authorize -> token, exit 0 or 1

KEY is an RSA private key as a JWK (JSON) or PEM file. `--port 0` picks a free port and
prints `port N` before `ready`. `ready` is printed (and flushed) once the server listens.

The config JSON may also carry "users": {"email": {"name": ..., "email_verified": ...,
"sub": ..., "claims": {...}}}, where "claims" are merged last into that person's ID Token,
so a test can make the provider misbehave (a wrong nonce, another audience, ...).

Endpoints (issuer http://127.0.0.1:N):
  GET  /.well-known/openid-configuration   discovery (OpenID Connect Discovery 1.0 §3)
  GET  /jwks                               the public key, with a RFC 7638 thumbprint kid
  GET  /authorize                          redirects to redirect_uri with code, state, iss
  POST /token                              client_secret_basic, single-use code,
                                           redirect_uri and PKCE S256 checked; RS256 ID Token
Needs PyJWT and cryptography.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DEFAULT_EMAIL = "ada@example.com"
CODE_LIFETIME_SECONDS = 60
ID_TOKEN_LIFETIME_SECONDS = 300
# RFC 7636 §4.1: 43 to 128 characters of the unreserved set.
VERIFIER_PATTERN = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def load_private_key(path: str):
    with open(path, "rb") as handle:
        data = handle.read()
    if data.lstrip().startswith(b"{"):
        key = jwt.algorithms.RSAAlgorithm.from_jwk(data.decode("utf-8"))
    else:
        key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SystemExit(f"{path}: not an RSA private key")
    return key


def public_jwk(private_key) -> dict:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    # RFC 7638: the thumbprint of the required members in lexicographic order.
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True)
    jwk.update({"kid": b64url(hashlib.sha256(canonical.encode()).digest()), "use": "sig", "alg": "RS256"})
    return jwk


class Provider:
    """The provider's state: settings, key, and the codes handed out and not yet redeemed."""

    def __init__(self, issuer, private_key, client_id, client_secret, users=None):
        self.issuer = issuer
        self.private_key = private_key
        self.jwk = public_jwk(private_key)
        self.client_id = client_id
        self.client_secret = client_secret
        self.users = users or {}
        self.codes = {}
        self.lock = threading.Lock()

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code"],
            "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nonce", "email", "email_verified", "name"],
            "authorization_response_iss_parameter_supported": True,
        }

    def person(self, email: str) -> dict:
        configured = self.users.get(email, {})
        local = email.split("@", 1)[0]
        return {
            "sub": configured.get("sub", "sub-" + hashlib.sha256(email.encode()).hexdigest()[:16]),
            "email": email,
            "email_verified": configured.get("email_verified", True),
            "name": configured.get("name", local.replace(".", " ").title()),
            "claims": configured.get("claims", {}),
        }

    def id_token(self, grant: dict) -> str:
        now = int(time.time())
        person = self.person(grant["email"])
        claims = {
            "iss": self.issuer,
            "sub": person["sub"],
            "aud": self.client_id,
            "exp": now + ID_TOKEN_LIFETIME_SECONDS,
            "iat": now,
            "auth_time": now,
            "email": person["email"],
            "email_verified": person["email_verified"],
            "name": person["name"],
        }
        if grant["nonce"] is not None:
            claims["nonce"] = grant["nonce"]
        claims.update(person["claims"])
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.jwk["kid"]})


class Handler(BaseHTTPRequestHandler):
    # Keep-alive with exact lengths: a client that reuses connections (workerd does) must
    # never find one closed under it, as with HTTP/1.0's close after every answer.
    protocol_version = "HTTP/1.1"

    provider: Provider = None  # set on the subclass made for each server
    server_version = "porch-test-idp"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if os.environ.get("OIDC_IDP_LOG"):
            super().log_message(format, *args)

    def send_json(self, status: int, body: dict, extra_headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def send_text(self, status: int, text: str):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def redirect(self, location: str):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):  # noqa: N802 - http.server's name
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/.well-known/openid-configuration":
            self.send_json(200, self.provider.discovery())
        elif url.path == "/jwks":
            self.send_json(200, {"keys": [self.provider.jwk]})
        elif url.path == "/authorize":
            self.authorize(urllib.parse.parse_qs(url.query, keep_blank_values=True))
        else:
            self.send_text(404, "not found")

    def do_POST(self):  # noqa: N802
        if urllib.parse.urlsplit(self.path).path != "/token":
            self.send_text(404, "not found")
            return
        self.token()

    def authorize(self, query: dict):
        provider = self.provider
        single = {name: values[0] for name, values in query.items() if len(values) == 1}
        repeated = [name for name, values in query.items() if len(values) > 1]
        redirect_uri = single.get("redirect_uri", "")
        # RFC 6749 §4.1.2.1: without a valid client and redirect URI, tell the person, not
        # the (unverified) redirect URI.
        if single.get("client_id") != provider.client_id or not redirect_uri.startswith(("http://", "https://")):
            self.send_text(400, "unknown client_id or missing redirect_uri")
            return
        state = single.get("state")

        def back(params: dict):
            params = dict(params, iss=provider.issuer)
            if state is not None:
                params["state"] = state
            separator = "&" if "?" in redirect_uri else "?"
            self.redirect(redirect_uri + separator + urllib.parse.urlencode(params))

        if repeated:
            back({"error": "invalid_request", "error_description": "repeated parameter"})
        elif single.get("response_type") != "code":
            back({"error": "unsupported_response_type"})
        elif "openid" not in single.get("scope", "").split():
            back({"error": "invalid_scope", "error_description": "openid is required"})
        elif single.get("code_challenge_method") != "S256" or not single.get("code_challenge"):
            back({"error": "invalid_request", "error_description": "PKCE S256 is required"})
        else:
            code = secrets.token_urlsafe(32)
            with provider.lock:
                provider.codes[code] = {
                    "nonce": single.get("nonce"),
                    "code_challenge": single["code_challenge"],
                    "redirect_uri": redirect_uri,
                    "client_id": single["client_id"],
                    "email": single.get("login_hint") or DEFAULT_EMAIL,
                    "expires": time.time() + CODE_LIFETIME_SECONDS,
                }
            back({"code": code})

    def client_authenticated(self) -> bool:
        """RFC 6749 §2.3.1: Basic with the form-urlencoded client id and secret."""
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return False
        client_id, _, secret = decoded.partition(":")
        client_id = urllib.parse.unquote_plus(client_id)
        secret = urllib.parse.unquote_plus(secret)
        provider = self.provider
        return hmac.compare_digest(client_id.encode(), provider.client_id.encode()) and hmac.compare_digest(
            secret.encode(), provider.client_secret.encode()
        )

    def token(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 64 * 1024)).decode("utf-8", "replace")
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            self.send_json(400, {"error": "invalid_request", "error_description": "form body required"})
            return
        if not self.client_authenticated():
            self.send_json(401, {"error": "invalid_client"}, [("WWW-Authenticate", 'Basic realm="token"')])
            return
        form = urllib.parse.parse_qs(body, keep_blank_values=True)
        if any(len(values) > 1 for values in form.values()):
            self.send_json(400, {"error": "invalid_request", "error_description": "repeated parameter"})
            return
        form = {name: values[0] for name, values in form.items()}
        if form.get("grant_type") != "authorization_code":
            self.send_json(400, {"error": "unsupported_grant_type"})
            return
        if form.get("client_id", self.provider.client_id) != self.provider.client_id:
            self.send_json(400, {"error": "invalid_request", "error_description": "client_id differs"})
            return
        # Single use (RFC 6749 §4.1.2): the code is gone whatever happens next.
        with self.provider.lock:
            grant = self.provider.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        failure = None
        if grant is None:
            failure = "unknown or used code"
        elif grant["expires"] < time.time():
            failure = "code expired"
        elif grant["client_id"] != self.provider.client_id:
            failure = "code issued to another client"
        elif form.get("redirect_uri") != grant["redirect_uri"]:
            failure = "redirect_uri differs"  # RFC 6749 §4.1.3
        elif not VERIFIER_PATTERN.match(verifier):
            failure = "malformed code_verifier"
        elif not hmac.compare_digest(b64url(hashlib.sha256(verifier.encode()).digest()), grant["code_challenge"]):
            failure = "PKCE verification failed"  # RFC 7636 §4.6
        if failure:
            self.send_json(400, {"error": "invalid_grant", "error_description": failure})
            return
        self.send_json(
            200,
            {
                "access_token": secrets.token_urlsafe(32),
                "token_type": "Bearer",
                "expires_in": ID_TOKEN_LIFETIME_SECONDS,
                "scope": "openid email profile",
                "id_token": self.provider.id_token(grant),
            },
        )


def serve(port: int, private_key, client_id: str, client_secret: str, users=None):
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    issuer = f"http://127.0.0.1:{server.server_address[1]}"
    handler = type("BoundHandler", (Handler,), {"provider": Provider(issuer, private_key, client_id, client_secret, users)})
    server.RequestHandlerClass = handler
    return server


def self_test() -> int:
    """Starts the provider as a subprocess on a free port and walks the flow with urllib."""
    fixture = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "sso", "rsa2048-private.jwk.json")
    temporary = None
    if os.path.exists(fixture):
        key_path = fixture
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        temporary = tempfile.NamedTemporaryFile("wb", suffix=".pem", delete=False)
        temporary.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        temporary.close()
        key_path = temporary.name
    client_id, client_secret = "porch-test", "s3cret:with/odd+chars"
    process = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--port", "0", "--key", key_path,
         "--client-id", client_id, "--client-secret", client_secret],
        stdout=subprocess.PIPE, text=True,
    )
    failures = []

    def expect(condition, what):
        print(("ok    " if condition else "FAIL  ") + what)
        if not condition:
            failures.append(what)

    try:
        port_line = process.stdout.readline().strip()
        ready_line = process.stdout.readline().strip()
        expect(port_line.startswith("port ") and ready_line == "ready", f"started: {port_line!r}, {ready_line!r}")
        issuer = f"http://127.0.0.1:{port_line.split()[1]}"

        def get(url):
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.load(response)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        no_redirect = urllib.request.build_opener(NoRedirect)

        def authorize(params):
            try:
                no_redirect.open(f"{issuer}/authorize?" + urllib.parse.urlencode(params), timeout=5)
            except urllib.error.HTTPError as redirect:
                location = redirect.headers.get("Location", "")
                return redirect.code, dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
            return 200, {}

        def token(form, secret=client_secret):
            basic = urllib.parse.quote_plus(client_id) + ":" + urllib.parse.quote_plus(secret)
            request = urllib.request.Request(
                f"{issuer}/token", data=urllib.parse.urlencode(form).encode(), method="POST",
                headers={"Content-Type": "application/x-www-form-urlencoded",
                         "Authorization": "Basic " + base64.b64encode(basic.encode()).decode()},
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    return response.status, json.load(response)
            except urllib.error.HTTPError as error:
                return error.code, json.load(error)

        metadata = get(f"{issuer}/.well-known/openid-configuration")
        expect(metadata["issuer"] == issuer, "discovery names the issuer")
        jwks = get(metadata["jwks_uri"])
        expect(len(jwks["keys"]) == 1 and "d" not in jwks["keys"][0], "the JWKS has one public key")

        redirect_uri = "http://127.0.0.1:9/sso/oidc/callback"
        verifier = b64url(os.urandom(32))
        challenge = b64url(hashlib.sha256(verifier.encode()).digest())

        def start(hint=None):
            params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
                      "scope": "openid email profile", "state": "st-1", "nonce": "no-1",
                      "code_challenge": challenge, "code_challenge_method": "S256"}
            if hint:
                params["login_hint"] = hint
            return authorize(params)

        status, callback = start("grace@example.org")
        expect(status == 302 and callback.get("state") == "st-1" and callback.get("iss") == issuer and callback.get("code"),
               "authorize redirects back with code, state and iss")
        form = {"grant_type": "authorization_code", "code": callback.get("code", ""), "redirect_uri": redirect_uri,
                "code_verifier": verifier, "client_id": client_id}
        status, answer = token(form)
        expect(status == 200 and answer.get("token_type") == "Bearer", "the code is exchanged")
        public = jwt.PyJWK(jwks["keys"][0]).key
        claims = jwt.decode(answer.get("id_token", ""), public, algorithms=["RS256"], audience=client_id, issuer=issuer)
        expect(claims["nonce"] == "no-1" and claims["email"] == "grace@example.org" and claims["email_verified"] is True,
               "the ID Token verifies and carries nonce, the hinted email and email_verified")
        status, answer = token(form)
        expect(status == 400 and answer.get("error") == "invalid_grant", "a code is single use")

        _, callback = start()
        status, answer = token(dict(form, code=callback["code"], code_verifier=b64url(os.urandom(32))))
        expect(status == 400 and answer.get("error") == "invalid_grant", "a wrong PKCE verifier is refused")
        _, callback = start()
        status, answer = token(dict(form, code=callback["code"], redirect_uri=redirect_uri + "x"))
        expect(status == 400 and answer.get("error") == "invalid_grant", "another redirect_uri is refused")
        _, callback = start()
        status, answer = token(dict(form, code=callback["code"]), secret="wrong")
        expect(status == 401 and answer.get("error") == "invalid_client", "a wrong client secret is refused")
        status, answer = token(dict(form, code=callback["code"]))
        expect(status == 200, "... and the code survives an unauthenticated attempt")
        claims = jwt.decode(answer.get("id_token", ""), public, algorithms=["RS256"], audience=client_id, issuer=issuer)
        expect(claims["email"] == DEFAULT_EMAIL, "without login_hint the person is ada@example.com")
        status, callback = authorize({"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
                                      "scope": "openid", "state": "s"})
        expect(status == 302 and callback.get("error") == "invalid_request", "authorize without PKCE is refused")
    except Exception as error:  # noqa: BLE001 - any surprise fails the self-test
        failures.append(repr(error))
        print(f"FAIL  {error!r}")
    finally:
        process.terminate()
        process.wait(timeout=5)
        if temporary is not None:
            os.unlink(temporary.name)
    print("self-test " + ("failed" if failures else "passed"))
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int)
    parser.add_argument("--key", help="RSA private key, JWK or PEM")
    parser.add_argument("--client-id")
    parser.add_argument("--client-secret")
    parser.add_argument("--config", help="a JSON object with port, key, client_id, client_secret, users")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    config = {}
    if args.config:
        with open(args.config, encoding="utf-8") as handle:
            config = json.load(handle)
    port = args.port if args.port is not None else config.get("port")
    key = args.key or config.get("key")
    client_id = args.client_id or config.get("client_id")
    client_secret = args.client_secret or config.get("client_secret")
    if port is None or not key or not client_id or not client_secret:
        parser.error("--port, --key, --client-id and --client-secret (or --config) are required")
    server = serve(int(port), load_private_key(key), client_id, client_secret, config.get("users"))
    if int(port) == 0:
        print(f"port {server.server_address[1]}", flush=True)
    print("ready", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
