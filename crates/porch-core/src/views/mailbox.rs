//! The dev mailbox page (`/_dev/mailbox`, only with `DEV_MAILBOX=on`): the newest emails
//! (bodies of emails a provider has sent or finally failed are blanked, see the outbox), with the links in its text clickable so a person running porch locally
//! can follow invitations and reset links. No script and no inline style: the page CSP
//! forbids both.

use maud::{html, Markup};

use crate::store::outbox::OutboxMessage;
use crate::views::layout::plain;
use porch_types::time::Timestamp;

pub fn page(messages: &[OutboxMessage]) -> String {
    let body = html! {
        main {
            h1 { "Dev mailbox" }
            p { "Every email porch queued, newest first (at most 50). Shown because DEV_MAILBOX is on: never turn it on in production." }
            @if messages.is_empty() {
                p { "No email yet." }
            }
            @for message in messages {
                article {
                    h2 { (message.subject) }
                    dl {
                        dt { "To" } dd { (message.to_email) }
                        dt { "Kind" } dd { (message.kind) }
                        dt { "Status" } dd { (message.status) }
                        dt { "Queued" } dd { (Timestamp::from_millis(message.created_at)) }
                    }
                    pre { (linked(&message.text_body)) }
                }
                hr;
            }
        }
    };
    plain("Dev mailbox", &body)
}

/// Plain text with each `http://` or `https://` URL made a link. maud escapes both the text
/// and the `href`, so an email's text cannot inject markup.
fn linked(text: &str) -> Markup {
    html! {
        @for piece in split_links(text) {
            @match piece {
                Piece::Text(text) => (text),
                Piece::Link(url) => a href=(url) { (url) },
            }
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Link(&'a str),
}

/// Splits text around URLs. A URL runs to the next whitespace or angle bracket or quote;
/// sentence punctuation right after it is not part of it.
fn split_links(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(start) = next_url_start(rest) {
        let (before, from_url) = rest.split_at(start);
        let end =
            from_url.find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'')).unwrap_or(from_url.len());
        let (candidate, _) = from_url.split_at(end);
        let url = candidate.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
        let (url, after) = from_url.split_at(url.len());
        if !before.is_empty() {
            pieces.push(Piece::Text(before));
        }
        pieces.push(Piece::Link(url));
        rest = after;
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    pieces
}

/// Where the next URL with something after its scheme starts.
fn next_url_start(text: &str) -> Option<usize> {
    let mut offset = 0;
    loop {
        let rest = text.get(offset..)?;
        let found = [rest.find("https://"), rest.find("http://")].into_iter().flatten().min()?;
        let start = offset + found;
        let scheme_len = if text.get(start..)?.starts_with("https://") { 8 } else { 7 };
        let after = text.get(start + scheme_len..)?;
        if after.chars().next().is_some_and(|c| !c.is_whitespace()) {
            return Some(start);
        }
        offset = start + scheme_len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_split_out_of_text_without_their_trailing_punctuation() {
        assert_eq!(
            split_links("Open http://acme.localhost:8787/invite/abc. Or https://x.test/a?b=1&c=2"),
            [
                Piece::Text("Open "),
                Piece::Link("http://acme.localhost:8787/invite/abc"),
                Piece::Text(". Or "),
                Piece::Link("https://x.test/a?b=1&c=2"),
            ]
        );
        assert_eq!(split_links("no links, just http:// alone"), [Piece::Text("no links, just http:// alone")]);
        assert_eq!(split_links(""), []);
    }

    #[test]
    fn linked_text_is_escaped_around_and_inside_links() {
        let html = linked("<b>hi</b> https://x.test/?a=\"1\"&b=<2>").into_string();
        assert!(html.contains("&lt;b&gt;hi&lt;/b&gt;"), "{html}");
        assert!(html.contains(r#"<a href="https://x.test/?a=">https://x.test/?a=</a>"#), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }
}
