//! The emails porch sends: what each one says (in the portal's colours and the reader's
//! language) and, in `delivery`, how queued ones leave through the configured provider.
//! Queuing is `store::outbox::enqueue`, a statement for the caller's own atomic batch.

pub mod delivery;
mod texts;

use maud::{html, Markup, DOCTYPE};

use crate::i18n::{Language, Translations as _};
use crate::portal_context::PortalContext;
pub use crate::store::outbox::Composed;
use crate::theme::ThemeContext;
use porch_types::access::Role;
use porch_types::staff::StaffRole;
use texts::{texts, Template};

/// One email to compose. Links are absolute URLs porch made itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message<'a> {
    /// An invitation to join the portal; `inviter` is the name of whoever sent it, if known.
    Invitation {
        link: &'a str,
        inviter: Option<&'a str>,
    },
    /// A listed contact is told they may register.
    RegistrationInvite {
        link: &'a str,
    },
    /// Confirm the address after self-registration.
    Verification {
        link: &'a str,
    },
    PasswordReset {
        link: &'a str,
        valid_minutes: i64,
    },
    /// Someone tried to register with an address that already has an account. Telling the
    /// owner by email lets the register page answer the same either way, so it never
    /// reveals which addresses have accounts (OWASP Authentication Cheat Sheet, account enumeration).
    AlreadyRegistered {
        sign_in_link: &'a str,
        reset_link: &'a str,
    },
    RoleChanged {
        role: Role,
    },
    /// An agent's public reply, to the ticket's requester. `excerpt` is from `excerpt`.
    TicketReply {
        number: i64,
        subject: &'a str,
        author: &'a str,
        excerpt: &'a str,
        link: &'a str,
    },
    /// The requester's ticket moved into a stage that tells its requester. `stage` is what
    /// the portal shows as the ticket's status (a stage name, or open/closed: `i18n::status_label`).
    TicketStage {
        number: i64,
        subject: &'a str,
        stage: &'a str,
        link: &'a str,
    },
    /// A customer's new ticket (`new_ticket`) or reply, to an inbox's notification address.
    /// `requester` is the customer's person, `customer` their company when known.
    TicketForInbox {
        number: i64,
        subject: &'a str,
        customer: Option<&'a str>,
        requester: &'a str,
        excerpt: &'a str,
        link: &'a str,
        new_ticket: bool,
    },
    /// An invitation to join a tenant's staff in the console, as `role`.
    StaffInvitation {
        link: &'a str,
        role: StaffRole,
    },
}

/// Whose email it is: the name it is sent in, and the colours and logo it wears (a portal's,
/// or, for the console's, the tenant's name in porch's own colours).
pub struct Brand<'a> {
    pub name: &'a str,
    pub theme: &'a ThemeContext,
}

impl<'a> Brand<'a> {
    pub fn of(portal: &'a PortalContext) -> Brand<'a> {
        Brand { name: &portal.name, theme: &portal.theme }
    }
}

impl Message<'_> {
    /// A stable code, stored with the queued email and shown by the emails API.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::Invitation { .. } => "invitation",
            Message::RegistrationInvite { .. } => "registration_invite",
            Message::Verification { .. } => "verification",
            Message::PasswordReset { .. } => "password_reset",
            Message::AlreadyRegistered { .. } => "already_registered",
            Message::RoleChanged { .. } => "role_change",
            Message::TicketReply { .. } => "ticket_reply",
            Message::TicketStage { .. } => "ticket_stage",
            Message::TicketForInbox { new_ticket: true, .. } => "ticket_new",
            Message::TicketForInbox { new_ticket: false, .. } => "ticket_customer_reply",
            Message::StaffInvitation { .. } => "staff_invitation",
        }
    }
}

/// A link shown as a sentence followed by the URL.
struct Link {
    label: String,
    url: String,
}

/// The pieces both parts of an email are made from, so the text and HTML parts always say
/// the same thing.
struct Parts {
    subject: String,
    heading: String,
    body: String,
    button: Link,
    /// Quoted under the body: the start of a ticket message.
    quote: Option<String>,
    /// A second link under the button (the reset link of an "already registered" email).
    extra: Option<Link>,
    note: String,
    footer: String,
}

/// Fills `{name}` placeholders in one pass, so a value that itself contains `{...}` (a portal
/// called "{inviter}") is never filled again. Unknown placeholders stay as written.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let (before, from_brace) = rest.split_at(start);
        out.push_str(before);
        let value = from_brace.find('}').and_then(|end| {
            let name = from_brace.get(1..end)?;
            let (_, value) = values.iter().find(|(n, _)| *n == name)?;
            Some((*value, end))
        });
        if let Some((value, end)) = value {
            out.push_str(value);
            rest = from_brace.get(end + 1..).unwrap_or("");
        } else {
            out.push('{');
            rest = from_brace.get(1..).unwrap_or("");
        }
    }
    out.push_str(rest);
    out
}

/// Subject lines are one line: a control character in a portal name becomes a space.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// How long an excerpt may be, in characters: enough to know what a reply says.
pub const EXCERPT_CHARS: usize = 300;

/// A ticket message's start, for an email: at most `EXCERPT_CHARS` characters of whole
/// words, its line breaks and runs of spaces made single spaces (the email shows it as one
/// quoted paragraph), "…" when cut. Plain text: the HTML part escapes it like every value.
pub fn excerpt(body: &str) -> String {
    let mut out = String::new();
    let mut chars = 0;
    for word in body.split_whitespace() {
        let len = word.chars().count();
        let space = usize::from(chars > 0);
        if chars + space + len > EXCERPT_CHARS {
            // One word longer than the whole excerpt (a long URL, say) is cut inside itself
            // rather than leaving nothing.
            if chars == 0 {
                out.extend(word.chars().take(EXCERPT_CHARS));
            }
            out.push('…');
            return out;
        }
        if space == 1 {
            out.push(' ');
        }
        out.push_str(word);
        chars += space + len;
    }
    out
}

fn parts(message: &Message<'_>, brand: &Brand<'_>, origin: &str, lang: Language) -> Parts {
    let t = texts(lang);
    // The values the templates may name; values are one line, as subjects must be.
    let mut values: Vec<(&str, String)> = vec![("portal", brand.name.to_owned())];
    let mut extra = None;
    let mut quote = None;
    let (template, body, button_url): (&Template, &str, String) = match message {
        Message::Invitation { link, inviter: by } => {
            let body = match by {
                Some(name) => {
                    values.push(("inviter", one_line(name)));
                    t.invitation_by
                }
                None => t.invitation.body,
            };
            (&t.invitation, body, (*link).to_owned())
        }
        Message::RegistrationInvite { link } => {
            (&t.registration_invite, t.registration_invite.body, (*link).to_owned())
        }
        Message::Verification { link } => (&t.verification, t.verification.body, (*link).to_owned()),
        Message::PasswordReset { link, valid_minutes } => {
            values.push(("minutes", valid_minutes.to_string()));
            (&t.password_reset, t.password_reset.body, (*link).to_owned())
        }
        Message::AlreadyRegistered { sign_in_link, reset_link } => {
            extra = Some(Link { label: t.forgot_password.to_owned(), url: (*reset_link).to_owned() });
            (&t.already_registered, t.already_registered.body, (*sign_in_link).to_owned())
        }
        Message::RoleChanged { role: new_role } => {
            let role = match new_role {
                Role::Admin => t.role_admin,
                Role::Member => t.role_member,
            };
            values.push(("role", role.to_owned()));
            // No action to take: the button just opens the portal.
            (&t.role_changed, t.role_changed.body, format!("{origin}/"))
        }
        Message::TicketReply { number, subject, author, excerpt, link } => {
            values.extend(ticket_values(*number, subject));
            values.push(("author", one_line(author)));
            quote = Some((*excerpt).to_owned());
            (&t.ticket_reply, t.ticket_reply.body, (*link).to_owned())
        }
        Message::TicketStage { number, subject, stage, link } => {
            values.extend(ticket_values(*number, subject));
            values.push(("stage", one_line(stage)));
            (&t.ticket_stage, t.ticket_stage.body, (*link).to_owned())
        }
        Message::TicketForInbox { number, subject, customer, requester, excerpt, link, new_ticket } => {
            values.extend(ticket_values(*number, subject));
            // "Ada Lovelace (Globex)" reads the same in all three languages.
            let from = match customer {
                Some(customer) => format!("{requester} ({customer})"),
                None => (*requester).to_owned(),
            };
            values.push(("requester", one_line(&from)));
            quote = Some((*excerpt).to_owned());
            let template = if *new_ticket { &t.inbox_new_ticket } else { &t.inbox_customer_reply };
            (template, template.body, (*link).to_owned())
        }
        Message::StaffInvitation { link, role } => {
            values.push(("role", lang.console().role(*role).to_owned()));
            (&t.staff_invitation, t.staff_invitation.body, (*link).to_owned())
        }
    };
    let values: Vec<(&str, &str)> = values.iter().map(|(name, value)| (*name, value.as_str())).collect();
    Parts {
        subject: one_line(&fill(template.subject, &values)),
        heading: template.heading.to_owned(),
        body: fill(body, &values),
        quote,
        button: Link { label: template.action.to_owned(), url: button_url },
        extra,
        note: template.note.to_owned(),
        footer: fill(t.footer, &values),
    }
}

/// What every ticket email names: the ticket's number and subject.
fn ticket_values(number: i64, subject: &str) -> [(&'static str, String); 2] {
    [("number", number.to_string()), ("subject", one_line(subject))]
}

/// The email for `message`, in `brand`'s name and colours. `origin` is the portal's public
/// origin (`https://support.acme.com`, no trailing slash; the console's for its emails):
/// images and links must be absolute, as the email is read far from the portal.
pub fn compose(message: &Message<'_>, brand: &Brand<'_>, origin: &str, lang: Language) -> Composed {
    let parts = parts(message, brand, origin, lang);
    let text = text_part(&parts, origin);
    let html = html_part(&parts, texts(lang).link_fallback, brand, origin, lang);
    Composed { subject: parts.subject, text, html }
}

/// The plain-text part: every link on a line of its own, so any mail client makes it clickable.
fn text_part(parts: &Parts, origin: &str) -> String {
    let extra = parts.extra.as_ref().map(|extra| format!("{}\n{}\n\n", extra.label, extra.url)).unwrap_or_default();
    // "> " marks a quotation in plain-text mail.
    let quote = parts.quote.as_ref().map(|quote| format!("> {quote}\n\n")).unwrap_or_default();
    // "-- " (with the space) is the signature separator mail clients recognise.
    format!(
        "{}\n\n{}\n\n{quote}{}:\n{}\n\n{extra}{}\n\n-- \n{}\n{origin}/\n",
        parts.heading, parts.body, parts.button.label, parts.button.url, parts.note, parts.footer
    )
}

/// The HTML part. Mail clients ignore stylesheets and many strip `<style>`, so every style is
/// inline and the layout is tables; maud escapes every value, the portal name included.
fn html_part(parts: &Parts, link_fallback: &str, brand: &Brand<'_>, origin: &str, lang: Language) -> String {
    let colors = &brand.theme.colors;
    let label = colors.label_on(colors.primary);
    let font = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;";
    let logo = brand.theme.logo_large.as_ref().map(|_| format!("{origin}/logo/large?v={}", brand.theme.version));
    let small = format!("{font}font-size:13px;line-height:1.5;color:{};margin:0 0 16px;", colors.text);
    let link_style = format!("color:{};text-decoration:underline;word-break:break-all;", colors.text);
    let link = |link: &Link| -> Markup {
        html! {
            p style=(small) {
                (link.label) br;
                a href=(link.url) style=(link_style) { (link.url) }
            }
        }
    };
    let button = &parts.button;
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (parts.subject) }
            }
            body style=(format!("margin:0;padding:0;background-color:{};color:{};", colors.background, colors.text)) {
                table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"
                    style=(format!("background-color:{};", colors.background)) {
                    tr { td align="center" style="padding:32px 16px;" {
                        table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;" {
                            @if let Some(logo) = &logo {
                                tr { td style="padding:0 0 24px;" {
                                    img src=(logo) alt=(brand.name) height="48" style="display:block;height:48px;width:auto;border:0;";
                                } }
                            }
                            tr { td {
                                h1 style=(format!("{font}font-size:22px;line-height:1.3;color:{};margin:0 0 16px;", colors.text)) { (parts.heading) }
                                p style=(format!("{font}font-size:16px;line-height:1.5;color:{};margin:0 0 24px;", colors.text)) { (parts.body) }
                                @if let Some(quote) = &parts.quote {
                                    p style=(format!("{font}font-size:15px;line-height:1.5;color:{};margin:0 0 24px;padding:0 0 0 12px;border-left:3px solid {};", colors.text, colors.primary)) { (quote) }
                                }
                                table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 24px;" {
                                    tr { td style=(format!("border-radius:6px;background-color:{};", colors.primary)) {
                                        a href=(button.url) style=(format!("{font}display:inline-block;padding:12px 24px;font-size:16px;font-weight:bold;color:{label};text-decoration:none;border-radius:6px;")) { (button.label) }
                                    } }
                                }
                                (link(&Link { label: link_fallback.to_owned(), url: button.url.clone() }))
                                @if let Some(extra) = &parts.extra { (link(extra)) }
                                p style=(small) { (parts.note) }
                                p style=(format!("{small}border-top:1px solid {};padding-top:16px;", colors.text)) { (parts.footer) }
                            } }
                        }
                    } }
                }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme::{LogoRef, ThemeContext};

    fn portal(name: &str) -> PortalContext {
        PortalContext {
            portal_id: "p".to_owned(),
            tenant_id: "t".to_owned(),
            slug: "acme".to_owned(),
            name: name.to_owned(),
            page_title: name.to_owned(),
            default_language: Language::En,
            enabled: true,
            customer_id: None,
            customer_name: None,
            theme: ThemeContext::fallback(),
            access: crate::portal_context::AccessContext::default(),
            tickets: porch_types::portal_tickets::TicketSettings::default(),
            apps: porch_types::apps::AppSet::all(),
            start_page: porch_types::setup::StartPage::HOME,
            navigation: porch_types::setup::Navigation::of(porch_types::apps::AppSet::all()),
            nav_links: porch_types::nav_links::NavLinks::default(),
            time_zone: porch_types::time_zone::TimeZone::UTC,
        }
    }

    const LINK: &str = "https://support.acme.com/invite/tok123";

    fn every_message() -> [Message<'static>; 11] {
        [
            Message::Invitation { link: LINK, inviter: Some("Grace Hopper") },
            Message::RegistrationInvite { link: LINK },
            Message::Verification { link: LINK },
            Message::PasswordReset { link: LINK, valid_minutes: 30 },
            Message::AlreadyRegistered { sign_in_link: LINK, reset_link: "https://support.acme.com/reset" },
            Message::RoleChanged { role: Role::Admin },
            Message::TicketReply {
                number: 42,
                subject: "Pump leaks",
                author: "Grace",
                excerpt: "We will send a technician.",
                link: LINK,
            },
            Message::TicketStage { number: 42, subject: "Pump leaks", stage: "Solved", link: LINK },
            Message::TicketForInbox {
                number: 42,
                subject: "Pump leaks",
                customer: Some("Globex"),
                requester: "Ada",
                excerpt: "Oil under the pump.",
                link: LINK,
                new_ticket: true,
            },
            Message::TicketForInbox {
                number: 42,
                subject: "Pump leaks",
                customer: None,
                requester: "Ada",
                excerpt: "Still leaking.",
                link: LINK,
                new_ticket: false,
            },
            Message::StaffInvitation { link: LINK, role: StaffRole::Agent },
        ]
    }

    #[test]
    fn every_email_in_every_language_names_the_portal_and_carries_its_link() {
        let acme = portal("Acme Support");
        for lang in Language::ALL {
            for message in every_message() {
                let composed = compose(&message, &Brand::of(&acme), "https://support.acme.com", lang);
                let link = match message {
                    Message::RoleChanged { .. } => "https://support.acme.com/",
                    _ => LINK,
                };
                let label = format!("{lang:?} {}", message.kind());
                assert!(composed.subject.contains("Acme Support"), "{label}: {}", composed.subject);
                assert!(
                    composed.text.lines().any(|line| line == link),
                    "{label}: link on a line of its own:\n{}",
                    composed.text
                );
                assert!(composed.html.contains(&format!("href=\"{link}\"")), "{label}");
                assert!(composed.html.contains("Acme Support"), "{label}");
                assert!(composed.html.contains(&format!("lang=\"{}\"", lang.code())), "{label}");
                assert!(!composed.text.contains('{'), "{label}: a placeholder was left unfilled:\n{}", composed.text);
            }
        }
    }

    #[test]
    fn the_details_of_each_message_reach_the_text() {
        let acme = portal("Acme Support");
        let reset = compose(&every_message()[3], &Brand::of(&acme), "https://support.acme.com", Language::Da);
        assert!(reset.text.contains("30 minutter"), "{}", reset.text);
        let invitation = compose(&every_message()[0], &Brand::of(&acme), "https://support.acme.com", Language::En);
        assert!(invitation.text.contains("Grace Hopper has invited you"), "{}", invitation.text);
        let both = compose(&every_message()[4], &Brand::of(&acme), "https://support.acme.com", Language::Nb);
        assert!(both.text.lines().any(|line| line == "https://support.acme.com/reset"), "{}", both.text);
        let role = compose(&every_message()[5], &Brand::of(&acme), "https://support.acme.com", Language::Nb);
        assert!(role.text.contains("administrator"), "{}", role.text);
    }

    #[test]
    fn a_hostile_portal_name_is_escaped_in_html_and_kept_to_one_line_in_the_subject() {
        let evil = portal("<script>alert(1)</script>\r\nBcc: x@evil.test");
        let composed = compose(&every_message()[1], &Brand::of(&evil), "https://support.acme.com", Language::En);
        assert!(!composed.html.contains("<script>"), "{}", composed.html);
        assert!(composed.html.contains("&lt;script&gt;"));
        assert!(!composed.subject.contains('\n') && !composed.subject.contains('\r'), "{}", composed.subject);
        let inviter = compose(
            &Message::Invitation { link: LINK, inviter: Some("<img src=x onerror=alert(1)>") },
            &Brand::of(&portal("Acme")),
            "https://support.acme.com",
            Language::En,
        );
        assert!(!inviter.html.contains("<img src=x"), "{}", inviter.html);
    }

    #[test]
    fn a_placeholder_inside_a_filled_value_is_not_filled_again() {
        assert_eq!(fill("{portal} by {inviter}", &[("portal", "{inviter}"), ("inviter", "Ada")]), "{inviter} by Ada");
        assert_eq!(fill("{unknown} and {", &[]), "{unknown} and {");
    }

    #[test]
    fn the_html_wears_the_theme_and_shows_the_large_logo_by_absolute_url() {
        let mut acme = portal("Acme");
        acme.theme.version = 7;
        let plain = compose(&every_message()[2], &Brand::of(&acme), "https://support.acme.com", Language::En);
        assert!(!plain.html.contains("/logo/large"), "no logo without one");
        acme.theme.logo_large = Some(LogoRef { key: "k".to_owned(), content_type: "image/png".to_owned() });
        let composed = compose(&every_message()[2], &Brand::of(&acme), "https://support.acme.com", Language::En);
        assert!(composed.html.contains(r#"src="https://support.acme.com/logo/large?v=7""#), "{}", composed.html);
        let colors = acme.theme.colors;
        assert!(composed.html.contains(&format!("background-color:{}", colors.primary)));
        assert!(composed.html.contains(&format!("color:{}", colors.label_on(colors.primary))));
        assert!(composed.html.contains(&format!("background-color:{}", colors.background)));
    }

    #[test]
    fn kinds_are_the_stable_codes() {
        let kinds: Vec<_> = every_message().iter().map(Message::kind).collect();
        assert_eq!(
            kinds,
            [
                "invitation",
                "registration_invite",
                "verification",
                "password_reset",
                "already_registered",
                "role_change",
                "ticket_reply",
                "ticket_stage",
                "ticket_new",
                "ticket_customer_reply",
                "staff_invitation"
            ]
        );
    }

    #[test]
    fn every_ticket_email_in_every_language_names_the_ticket_and_quotes_what_was_written() {
        let acme = portal("Acme Support");
        for lang in Language::ALL {
            for message in every_message().into_iter().skip(6).take(4) {
                let composed = compose(&message, &Brand::of(&acme), "https://support.acme.com", lang);
                let label = format!("{lang:?} {}", message.kind());
                assert!(composed.subject.contains("#42") && composed.subject.contains("Pump leaks"), "{label}");
                assert!(composed.text.contains("#42") && composed.text.contains("Pump leaks"), "{label}");
                let quoted = match message {
                    Message::TicketReply { excerpt, .. } | Message::TicketForInbox { excerpt, .. } => Some(excerpt),
                    _ => None,
                };
                if let Some(excerpt) = quoted {
                    assert!(composed.text.contains(&format!("> {excerpt}")), "{label}:\n{}", composed.text);
                    assert!(composed.html.contains(excerpt), "{label}");
                }
            }
        }
        let reply = compose(&every_message()[6], &Brand::of(&acme), "https://support.acme.com", Language::En);
        assert!(reply.text.contains("Grace replied to your ticket #42"), "{}", reply.text);
        let stage = compose(&every_message()[7], &Brand::of(&acme), "https://support.acme.com", Language::Da);
        assert!(stage.subject.contains("Solved") && stage.text.contains("status: Solved"), "{}", stage.text);
        let new = compose(&every_message()[8], &Brand::of(&acme), "https://support.acme.com", Language::Nb);
        assert!(new.text.contains("Ada (Globex) har opprettet sak #42"), "{}", new.text);
        let reply = compose(&every_message()[9], &Brand::of(&acme), "https://support.acme.com", Language::En);
        assert!(reply.subject.contains("Customer reply") && reply.text.contains("Ada replied"), "{}", reply.text);
    }

    #[test]
    fn the_words_of_a_ticket_message_are_escaped_in_html() {
        let message = Message::TicketReply {
            number: 1,
            subject: "<b>bold</b>",
            author: "<i>Eve</i>",
            excerpt: "<script>alert(1)</script>",
            link: LINK,
        };
        let composed = compose(&message, &Brand::of(&portal("Acme")), "https://support.acme.com", Language::En);
        for raw in ["<script>", "<b>", "<i>"] {
            assert!(!composed.html.contains(raw), "{raw}: {}", composed.html);
        }
        assert!(composed.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    #[test]
    fn an_excerpt_is_the_start_of_the_body_in_whole_words_on_one_line() {
        assert_eq!(excerpt("Hello,\n\n  the pump\tleaks. "), "Hello, the pump leaks.");
        let long = "word ".repeat(100);
        let cut = excerpt(&long);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= EXCERPT_CHARS + 1, "{}", cut.chars().count());
        assert_eq!(cut.trim_end_matches('…').split(' ').count(), 60, "whole words: 60 of 5 characters fit in 300");
        let exact = "x".repeat(EXCERPT_CHARS);
        assert_eq!(excerpt(&exact), exact, "a body of exactly the limit is not cut");
        let url = format!("https://example.com/{}", "a".repeat(400));
        let cut = excerpt(&url);
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1, "one over-long word is cut inside itself");
        assert_eq!(
            excerpt("æøå ".repeat(100).as_str()).chars().filter(|c| *c == 'æ').count(),
            75,
            "characters, not bytes"
        );
    }
}
