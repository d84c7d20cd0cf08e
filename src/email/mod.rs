//! The emails porch sends: what each one says (in the portal's colours and the reader's
//! language) and, in `delivery`, how queued ones leave through the configured provider.
//! Queuing is `store::outbox::enqueue`, a statement for the caller's own atomic batch.

pub mod delivery;
mod texts;

use maud::{html, Markup, DOCTYPE};

use crate::domain::access::Role;
use crate::i18n::Language;
use crate::tenancy::PortalContext;
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
        }
    }
}

/// A finished email: subject, plain-text part and HTML part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
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

fn parts(message: &Message<'_>, portal: &PortalContext, origin: &str, lang: Language) -> Parts {
    let t = texts(lang);
    let mut minutes = String::new();
    let mut role = "";
    let mut inviter = String::new();
    let mut extra = None;
    let (template, body, button_url): (&Template, &str, String) = match message {
        Message::Invitation { link, inviter: by } => {
            let body = match by {
                Some(name) => {
                    inviter = one_line(name);
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
            minutes = valid_minutes.to_string();
            (&t.password_reset, t.password_reset.body, (*link).to_owned())
        }
        Message::AlreadyRegistered { sign_in_link, reset_link } => {
            extra = Some(Link { label: t.forgot_password.to_owned(), url: (*reset_link).to_owned() });
            (&t.already_registered, t.already_registered.body, (*sign_in_link).to_owned())
        }
        Message::RoleChanged { role: new_role } => {
            role = match new_role {
                Role::Admin => t.role_admin,
                Role::Member => t.role_member,
            };
            // No action to take: the button just opens the portal.
            (&t.role_changed, t.role_changed.body, format!("{origin}/"))
        }
    };
    let values = [("portal", portal.name.as_str()), ("inviter", &inviter), ("minutes", &minutes), ("role", role)];
    Parts {
        subject: one_line(&fill(template.subject, &values)),
        heading: template.heading.to_owned(),
        body: fill(body, &values),
        button: Link { label: template.action.to_owned(), url: button_url },
        extra,
        note: template.note.to_owned(),
        footer: fill(t.footer, &values),
    }
}

/// The email for `message`, branded for `portal`. `origin` is the portal's public origin
/// (`https://support.acme.com`, no trailing slash): images and links must be absolute, as
/// the email is read far from the portal.
pub fn compose(message: &Message<'_>, portal: &PortalContext, origin: &str, lang: Language) -> Composed {
    let parts = parts(message, portal, origin, lang);
    let text = text_part(&parts, origin);
    let html = html_part(&parts, texts(lang).link_fallback, portal, origin, lang);
    Composed { subject: parts.subject, text, html }
}

/// The plain-text part: every link on a line of its own, so any mail client makes it clickable.
fn text_part(parts: &Parts, origin: &str) -> String {
    let extra = parts.extra.as_ref().map(|extra| format!("{}\n{}\n\n", extra.label, extra.url)).unwrap_or_default();
    // "-- " (with the space) is the signature separator mail clients recognise.
    format!(
        "{}\n\n{}\n\n{}:\n{}\n\n{extra}{}\n\n-- \n{}\n{origin}/\n",
        parts.heading, parts.body, parts.button.label, parts.button.url, parts.note, parts.footer
    )
}

/// The HTML part. Mail clients ignore stylesheets and many strip `<style>`, so every style is
/// inline and the layout is tables; maud escapes every value, the portal name included.
fn html_part(parts: &Parts, link_fallback: &str, portal: &PortalContext, origin: &str, lang: Language) -> String {
    let colors = &portal.theme.colors;
    let label = colors.label_on(colors.primary);
    let font = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;";
    let logo = portal.theme.logo_large.as_ref().map(|_| format!("{origin}/logo/large?v={}", portal.theme.version));
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
                                    img src=(logo) alt=(portal.name) height="48" style="display:block;height:48px;width:auto;border:0;";
                                } }
                            }
                            tr { td {
                                h1 style=(format!("{font}font-size:22px;line-height:1.3;color:{};margin:0 0 16px;", colors.text)) { (parts.heading) }
                                p style=(format!("{font}font-size:16px;line-height:1.5;color:{};margin:0 0 24px;", colors.text)) { (parts.body) }
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
    use crate::tenancy::{LogoRef, ThemeContext};

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
            access: crate::tenancy::AccessContext::default(),
            tickets: crate::domain::portal_tickets::TicketSettings::default(),
        }
    }

    const LINK: &str = "https://support.acme.com/invite/tok123";

    fn every_message() -> [Message<'static>; 6] {
        [
            Message::Invitation { link: LINK, inviter: Some("Grace Hopper") },
            Message::RegistrationInvite { link: LINK },
            Message::Verification { link: LINK },
            Message::PasswordReset { link: LINK, valid_minutes: 30 },
            Message::AlreadyRegistered { sign_in_link: LINK, reset_link: "https://support.acme.com/reset" },
            Message::RoleChanged { role: Role::Admin },
        ]
    }

    #[test]
    fn every_email_in_every_language_names_the_portal_and_carries_its_link() {
        let acme = portal("Acme Support");
        for lang in Language::ALL {
            for message in every_message() {
                let composed = compose(&message, &acme, "https://support.acme.com", lang);
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
        let reset = compose(&every_message()[3], &acme, "https://support.acme.com", Language::Da);
        assert!(reset.text.contains("30 minutter"), "{}", reset.text);
        let invitation = compose(&every_message()[0], &acme, "https://support.acme.com", Language::En);
        assert!(invitation.text.contains("Grace Hopper has invited you"), "{}", invitation.text);
        let both = compose(&every_message()[4], &acme, "https://support.acme.com", Language::Nb);
        assert!(both.text.lines().any(|line| line == "https://support.acme.com/reset"), "{}", both.text);
        let role = compose(&every_message()[5], &acme, "https://support.acme.com", Language::Nb);
        assert!(role.text.contains("administrator"), "{}", role.text);
    }

    #[test]
    fn a_hostile_portal_name_is_escaped_in_html_and_kept_to_one_line_in_the_subject() {
        let evil = portal("<script>alert(1)</script>\r\nBcc: x@evil.test");
        let composed = compose(&every_message()[1], &evil, "https://support.acme.com", Language::En);
        assert!(!composed.html.contains("<script>"), "{}", composed.html);
        assert!(composed.html.contains("&lt;script&gt;"));
        assert!(!composed.subject.contains('\n') && !composed.subject.contains('\r'), "{}", composed.subject);
        let inviter = compose(
            &Message::Invitation { link: LINK, inviter: Some("<img src=x onerror=alert(1)>") },
            &portal("Acme"),
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
        let plain = compose(&every_message()[2], &acme, "https://support.acme.com", Language::En);
        assert!(!plain.html.contains("/logo/large"), "no logo without one");
        acme.theme.logo_large = Some(LogoRef { key: "k".to_owned(), content_type: "image/png".to_owned() });
        let composed = compose(&every_message()[2], &acme, "https://support.acme.com", Language::En);
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
                "role_change"
            ]
        );
    }
}
