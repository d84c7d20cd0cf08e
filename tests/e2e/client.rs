//! A minimal HTTP/1.1 client over `TcpStream` for the end-to-end tests: it must send any
//! Host header (custom domains, malformed hosts) to 127.0.0.1, which general clients refuse.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

pub struct Call<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub host: &'a str,
    pub headers: Vec<(&'a str, String)>,
    pub body: Vec<u8>,
}

/// A `multipart/form-data` body as a browser sends it: its `Content-Type` and bytes. Fields
/// first, then files as (field name, filename, bytes).
pub fn multipart_body(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "e2eBoundary9f8d7c";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (name, filename, data) in files {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

pub fn send(port: u16, call: &Call<'_>) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to wrangler dev");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        call.method,
        call.path,
        call.host,
        call.body.len()
    );
    for (name, value) in &call.headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("write head");
    stream.write_all(&call.body).expect("write body");
    read_reply(&mut stream)
}

/// Reads one response: the head, then the body by Content-Length or chunked framing. The
/// dev server keeps connections open despite `Connection: close`, so EOF cannot be awaited.
fn read_reply(stream: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let (status, headers) = parse_head(&raw[..split]);
            let body_start = split + 4;
            let length = headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse::<usize>().ok());
            let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
            let bodiless = status == 204 || status == 304;
            loop {
                let body = &raw[body_start..];
                let complete = if bodiless {
                    true
                } else if chunked {
                    body.ends_with(b"0\r\n\r\n")
                } else if let Some(length) = length {
                    body.len() >= length
                } else {
                    false
                };
                if complete {
                    let body =
                        if chunked { dechunk(body) } else { body[..length.unwrap_or(0).min(body.len())].to_vec() };
                    return Reply { status, headers, body };
                }
                let n = stream.read(&mut buf).expect("read body");
                if n == 0 {
                    let body = raw[body_start..].to_vec();
                    return Reply { status, headers, body };
                }
                raw.extend_from_slice(&buf[..n]);
            }
        }
        let n = stream.read(&mut buf).expect("read head");
        assert!(n > 0, "connection closed before a full response head");
        raw.extend_from_slice(&buf[..n]);
    }
}

fn parse_head(head: &[u8]) -> (u16, Vec<(String, String)>) {
    let head = String::from_utf8_lossy(head).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers)
}

/// Decodes `Transfer-Encoding: chunked` (RFC 9112 §7.1).
fn dechunk(mut input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = input.windows(2).position(|w| w == b"\r\n").expect("chunk size line");
        let size_text = String::from_utf8_lossy(&input[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16).expect("chunk size");
        input = &input[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&input[..size]);
        input = &input[size + 2..];
    }
}
