//! The portal admin's Users page: people, their roles, pending invitations, and the forms
//! to invite, change a role and remove someone.

use crate::i18n::Translations as _;
use maud::{html, Markup};

use super::form::{field, summary, Problems};
use super::language;
use super::layout::page;
use crate::auth::csrf;
use crate::auth::member::Member;
use crate::i18n::{AccountStrings, Language};
use crate::portal_context::ResolvedPortal;
use crate::store::accounts::AccountRow;
use crate::store::invitations::InvitationRow;
use porch_types::access::Role;
use porch_types::time::Timestamp;

pub struct UsersView<'a> {
    pub me: &'a Member,
    pub people: &'a [AccountRow],
    pub pending: &'a [InvitationRow],
    pub notice: Option<&'a str>,
    pub problems: &'a Problems,
    /// The invitation form's address as typed, kept when it was refused.
    pub invite_email: &'a str,
}

fn role_label(t: &AccountStrings, role: Role) -> &'static str {
    match role {
        Role::Admin => t.role_admin,
        Role::Member => t.role_member,
    }
}

/// The role choice: labelled by its own `<label>` where it has an id, else by `aria-label`.
fn role_select(t: &AccountStrings, selected: Role, id: Option<&str>) -> Markup {
    html! {
        select name="role" id=[id] aria-label=[id.is_none().then_some(t.role)] {
            @for role in [Role::Member, Role::Admin] {
                option value=(role.code()) selected[role == selected] { (role_label(t, role)) }
            }
        }
    }
}

/// The version of the person the form was shown for: a change sent from a page opened before
/// someone else changed them is refused, not applied over what the admin never saw.
fn version_field(version: i64) -> Markup {
    html! { input type="hidden" name="version" value=(version); }
}

pub fn users(portal: &ResolvedPortal, lang: Language, csrf_token: &str, view: &UsersView<'_>) -> String {
    let t = lang.account();
    let csrf_field = html! { input type="hidden" name=(csrf::FIELD) value=(csrf_token); };
    let content = html! {
        h1 { (t.users_title) }
        @if let Some(notice) = view.notice { p.notice role="status" { (notice) } }
        (summary(lang, view.problems))
        table.people.stacked {
            thead { tr { th scope="col" { (t.name_column) } th scope="col" { (t.email) } th scope="col" { (t.role) } th scope="col" { span.visually-hidden { (t.remove) } } } }
            tbody {
                @for person in view.people {
                    tr {
                        td data-label=(t.name_column) {
                            (person.name)
                            @if view.me.account.is_some_and(|me| me.to_db() == person.id) { " (" (t.you) ")" }
                        }
                        td data-label=(t.email) { (person.email) }
                        td data-label=(t.role) {
                            form.inline method="post" action=(format!("/users/{}/role", person.id)) {
                                (csrf_field)
                                (version_field(person.version))
                                (role_select(t, person.role, None))
                                button.secondary type="submit" { (t.change_role) }
                            }
                        }
                        td {
                            form.inline method="post" action=(format!("/users/{}/remove", person.id)) {
                                (csrf_field)
                                (version_field(person.version))
                                button.link-button type="submit" { (t.remove) " " span.visually-hidden { (person.name) } }
                            }
                        }
                    }
                }
            }
        }
        h2 { (t.invite_heading) }
        form.stack method="post" action="/users/invite" novalidate {
            (csrf_field)
            (field(lang, view.problems, "email", t.email, None, |c| html! {
                input #(c.id) type="email" name="email" value=(view.invite_email) required
                    aria-describedby=[c.described_by.as_deref()] aria-invalid=[c.invalid];
            }))
            div.field { label for="invite-role" { (t.role) } (role_select(t, Role::Member, Some("invite-role"))) }
            div.actions { button.button type="submit" { (t.send_invitation) } }
        }
        @if !view.pending.is_empty() {
            h2 { (t.pending_invitations) }
            ul.pending {
                @for invitation in view.pending {
                    li {
                        (invitation.email.as_deref().unwrap_or("—")) " · " (role_label(t, invitation.role))
                        " · " (t.expires) " " (language::date_time(language::formats(portal, lang), Timestamp::from_millis(invitation.expires_at))) " "
                        form.inline method="post" action=(format!("/users/invitations/{}/revoke", invitation.id)) {
                            (csrf_field)
                            button.link-button type="submit" { (t.revoke) }
                        }
                    }
                }
            }
        }
    };
    page(portal, lang, t.users_title, Some("/users"), Some(view.me), &content)
}
