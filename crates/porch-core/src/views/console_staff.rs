//! The console's staff pages: a tenant's Staff tab (people, roles, invitations, and the forms
//! for each, shown only to whoever may use them) and the page that accepts an invitation.

use maud::{html, Markup};

use super::console::{shell, shown_once, tenant_header, ShownOnce, TenantTab, Who};
use super::form::{csrf_field, field, new_password_field, submit, summary, Problems};
use super::language;
use crate::i18n::{ConsoleStrings, Formats, Language, Translations as _};
use crate::store::staff_members::{InvitationRow, InvitationStatus, MemberRow};
use crate::store::tenants::TenantRow;
use porch_types::ids::StaffId;
use porch_types::staff::StaffRole;
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;

pub struct StaffView<'a> {
    pub tenant: &'a TenantRow,
    pub people: &'a [MemberRow],
    pub invitations: &'a [InvitationRow],
    /// The person looking.
    pub me: StaffId,
    /// Their role: which forms they are shown.
    pub by: StaffRole,
    pub now: Timestamp,
    pub notice: Option<&'a str>,
    /// A new invitation's link, shown this once.
    pub link: Option<&'a str>,
    pub problems: &'a Problems,
    pub invite_email: &'a str,
    pub invite_role: StaffRole,
}

/// The roles `by` may give, for a select: labelled by its own `<label>` (`id`) or by
/// `aria-label` naming whose role it is.
fn role_select(
    c: &ConsoleStrings,
    by: StaffRole,
    selected: StaffRole,
    id: Option<&str>,
    whose: Option<&str>,
) -> Markup {
    let label = whose.map(|name| format!("{} – {name}", c.staff_role));
    html! {
        select name="role" id=[id] aria-label=[label] {
            @for role in StaffRole::TENANT_ROLES.into_iter().filter(|role| by.can_grant(*role)) {
                option value=(role.code()) selected[role == selected] { (c.role(role)) }
            }
        }
    }
}

fn status_label(c: &ConsoleStrings, status: InvitationStatus) -> &'static str {
    match status {
        InvitationStatus::Pending => c.status_pending,
        InvitationStatus::Accepted => c.status_accepted,
        InvitationStatus::Expired => c.status_expired,
        InvitationStatus::Revoked => c.status_revoked,
    }
}

fn people(lang: Language, who: &Who<'_>, view: &StaffView<'_>) -> Markup {
    let c = lang.console();
    let base = format!("/tenants/{}/staff", view.tenant.id);
    let manage = view.by.can_manage_staff();
    html! {
        @if view.people.is_empty() {
            p.empty { (c.no_staff) }
        } @else {
            table.people.stacked {
                thead {
                    tr {
                        th scope="col" { (c.staff_name) }
                        th scope="col" { (c.staff_email) }
                        th scope="col" { (c.staff_role) }
                        th scope="col" { (c.staff_second_factor) }
                        @if manage { th scope="col" { span.visually-hidden { (c.staff_actions) } } }
                    }
                }
                tbody {
                    @for person in view.people {
                        @let role = person.role();
                        @let in_reach = manage && role.is_some_and(|role| view.by.can_grant(role));
                        tr {
                            td data-label=(c.staff_name) {
                                (person.name)
                                @if person.id == view.me.to_db() { " " (c.you) }
                            }
                            td data-label=(c.staff_email) { (person.email) }
                            td data-label=(c.staff_role) {
                                @match role {
                                    Some(role) if in_reach => {
                                        form.inline method="post" action={ (base) "/" (person.id) "/role" } {
                                            (csrf_field(who.csrf))
                                            (role_select(c, view.by, role, None, Some(&person.name)))
                                            button.secondary type="submit" { (c.save_role) }
                                        }
                                    }
                                    Some(role) => { (c.role(role)) }
                                    None => { (person.role) }
                                }
                            }
                            td data-label=(c.staff_second_factor) {
                                @if person.has_second_factor() { (c.second_factor_on) } @else { (c.second_factor_pending) }
                            }
                            @if manage {
                                td {
                                    @if in_reach {
                                        form.inline method="post" action={ (base) "/" (person.id) "/remove" } {
                                            (csrf_field(who.csrf))
                                            button.link-button type="submit" { (c.remove) " " span.visually-hidden { (person.name) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn invitations(lang: Language, who: &Who<'_>, view: &StaffView<'_>) -> Markup {
    let c = lang.console();
    let formats = Formats::new(lang, TimeZone::UTC);
    let manage = view.by.can_manage_staff();
    html! {
        h2 { (c.invitations_title) }
        @if view.invitations.is_empty() {
            p.empty { (c.no_invitations) }
        } @else {
            table.people.stacked {
                thead {
                    tr {
                        th scope="col" { (c.staff_email) }
                        th scope="col" { (c.staff_role) }
                        th scope="col" { (c.invitation_status) }
                        th scope="col" { (c.invitation_expires) }
                        @if manage { th scope="col" { span.visually-hidden { (c.staff_actions) } } }
                    }
                }
                tbody {
                    @for invitation in view.invitations {
                        @let status = invitation.status(view.now);
                        tr {
                            td data-label=(c.staff_email) { (invitation.email) }
                            td data-label=(c.staff_role) {
                                (StaffRole::parse(&invitation.role).map_or(invitation.role.as_str(), |role| c.role(role)))
                            }
                            td data-label=(c.invitation_status) { (status_label(c, status)) }
                            td data-label=(c.invitation_expires) {
                                (language::date_time(formats, Timestamp::from_millis(invitation.expires_at)))
                            }
                            @if manage {
                                td {
                                    @if matches!(status, InvitationStatus::Pending | InvitationStatus::Expired) {
                                        form.inline method="post" action={ "/tenants/" (view.tenant.id) "/staff/invitations/" (invitation.id) "/revoke" } {
                                            (csrf_field(who.csrf))
                                            button.link-button type="submit" { (c.revoke) " " span.visually-hidden { (invitation.email) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn invite_form(lang: Language, who: &Who<'_>, view: &StaffView<'_>) -> Markup {
    let c = lang.console();
    html! {
        h2 { (c.invite_title) }
        form.stack method="post" action={ "/tenants/" (view.tenant.id) "/staff/invitations" } novalidate {
            (csrf_field(who.csrf))
            (field(lang, view.problems, "email", c.staff_email, None, |f| html! {
                input #(f.id) type="email" name="email" value=(view.invite_email) autocomplete="off" required
                    aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
            }))
            (field(lang, view.problems, "role", c.staff_role, None, |f| html! {
                (role_select(c, view.by, view.invite_role, Some(f.id), None))
            }))
            (submit(c.invite_button))
        }
    }
}

pub fn staff(lang: Language, who: &Who<'_>, view: &StaffView<'_>) -> String {
    let c = lang.console();
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Staff))
        h2.visually-hidden { (c.staff_title) }
        p.lead { (c.staff_intro) }
        p { a href={ "/tenants/" (view.tenant.id) "/staff/sso" } { (lang.staff_sso().open_link) } }
        @if let Some(notice) = view.notice {
            @match view.link {
                Some(link) => {
                    @let w = lang.wizard();
                    (shown_once(lang, &ShownOnce {
                        notice: &format!("{notice} {}", c.invited_link),
                        id: "staff-link",
                        label: w.link_label,
                        hint: w.link_hint,
                        value: link,
                        copy: w.copy_link,
                        copied: w.link_copied,
                    }))
                }
                None => p.notice role="status" { (notice) },
            }
        }
        (summary(lang, view.problems))
        (people(lang, who, view))
        (invitations(lang, who, view))
        @if view.by.can_manage_staff() {
            (invite_form(lang, who, view))
        }
    };
    shell(lang, &format!("{} · {}", c.staff_title, view.tenant.name), None, Some(who), &body)
}

/// The invitation being accepted, and what was typed.
pub struct JoinForm<'a> {
    pub token: &'a str,
    pub tenant: &'a str,
    pub email: &'a str,
    pub role: StaffRole,
    pub name: &'a str,
    pub problems: &'a Problems,
}

pub fn join(lang: Language, csrf: &str, form: &JoinForm<'_>) -> String {
    let (c, a) = (lang.console(), lang.account());
    let title = (c.join_title)(form.tenant);
    let body = html! {
        h1 { (title) }
        p.lead { ((c.join_intro)(c.role(form.role), form.email)) }
        (summary(lang, form.problems))
        form.stack method="post" action={ "/join/" (form.token) } novalidate {
            (csrf_field(csrf))
            // The account's email, for password managers: it is the invitation's, not typed.
            input type="hidden" name="username" value=(form.email) autocomplete="username";
            (field(lang, form.problems, "name", a.name, None, |f| html! {
                input #(f.id) type="text" name="name" value=(form.name) autocomplete="name" required maxlength="200"
                    aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
            }))
            (new_password_field(lang, form.problems, a.password))
            (submit(c.join_button))
        }
    };
    shell(lang, &title, None, None, &body)
}
