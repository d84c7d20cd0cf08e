//! A browser on one portal host for in-process tests: keeps cookies, sends forms (urlencoded
//! and multipart) with the CSRF token its cookie holds, as a real page's hidden field would.

use std::cell::RefCell;
use std::collections::HashMap;

use porch_core::http::{Method, Request, Response};

use super::{body_text, multipart_body, TestApp};

/// A browser on one portal host: keeps cookies, sends forms with the CSRF token its
/// cookie holds (as a real page's hidden field would).
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub host: String,
    pub cookies: RefCell<HashMap<String, String>>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp, host: &str) -> Browser<'a> {
        Browser { app, host: host.to_owned(), cookies: RefCell::new(HashMap::new()) }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies.borrow().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub fn keep_cookies(&self, response: &Response) {
        for (name, value) in &response.headers {
            if name == "set-cookie" {
                let pair = value.split(';').next().unwrap();
                let (key, val) = pair.split_once('=').unwrap();
                if value.contains("Max-Age=0") {
                    self.cookies.borrow_mut().remove(key);
                } else {
                    self.cookies.borrow_mut().insert(key.to_owned(), val.to_owned());
                }
            }
        }
    }

    pub fn send(&self, req: Request) -> Response {
        let req = req.with_header("host", &self.host).with_header("cookie", &self.cookie_header());
        let response = self.app.send(req);
        self.keep_cookies(&response);
        response
    }

    pub fn get(&self, path: &str) -> Response {
        self.send(Request::new(Method::Get, path))
    }

    pub fn csrf(&self) -> String {
        let cookies = self.cookies.borrow();
        // The portal's token, or on the console its own.
        cookies.get("porch_csrf").or_else(|| cookies.get("porch_console_csrf")).cloned().unwrap_or_default()
    }

    /// A form POST with this browser's CSRF token.
    pub fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let csrf = self.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all)
    }

    pub fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body = fields.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
        self.send(
            Request::new(Method::Post, path)
                .with_header("content-type", "application/x-www-form-urlencoded")
                .with_body(body),
        )
    }

    /// A `multipart/form-data` POST with this browser's CSRF token: text fields, then files
    /// as (field name, filename, bytes).
    pub fn post_multipart(&self, path: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Response {
        let csrf = self.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        let (content_type, body) = multipart_body(&all, files);
        self.send(Request::new(Method::Post, path).with_header("content-type", &content_type).with_body(body))
    }

    /// [`Browser::post_multipart`] read as the edge reads a body: in 64 KiB chunks through
    /// `BodyReader`, which sets files past the caps aside; `headers` are sent as well.
    pub fn post_multipart_streamed(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
        headers: &[(&str, &str)],
    ) -> Response {
        let csrf = self.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        let (content_type, body) = multipart_body(&all, files);
        let mut reader =
            porch_core::app::BodyReader::new(Method::Post, path, Some(&content_type), Some(body.len())).unwrap();
        for chunk in body.chunks(64 * 1024) {
            reader.push(chunk).unwrap();
        }
        let (kept, set_aside) = reader.finish().unwrap();
        let mut req = Request::new(Method::Post, path).with_header("content-type", &content_type).with_body(kept);
        req.set_aside = set_aside;
        for (name, value) in headers {
            req = req.with_header(name, value);
        }
        self.send(req)
    }

    pub fn session(&self) -> Option<String> {
        self.cookies.borrow().get("porch_session").cloned()
    }

    pub fn signed_in_as(&self, name: &str) -> bool {
        let home = body_text(&self.get("/"));
        home.contains(&format!("Welcome, {name}"))
    }
}

pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") })
        .collect()
}
