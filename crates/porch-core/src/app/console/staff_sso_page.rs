//! The tenant's single sign-on for staff (`views::console_staff_sso`). Saving and removing
//! call `app::staff_sso::put` and `delete`, as `putStaffSso` and `deleteStaffSso` do; the
//! form carries the version it was drawn from.

use super::sign_in::{drawn_version, field};
use super::{tenant_of, Console, Person};
use crate::app::links;
use crate::app::staff_sso::{self as rules, redirect_uri, StaffSsoInput};
use crate::app::versions::Precondition;
use crate::http::Response;
use crate::i18n::{Language, Translations as _};
use crate::runtime::Runtime;
use crate::store::staff_sso::{self, DomainRow, StaffSsoRow};
use crate::store::{decode_rows, tenants, Database, Statement};
use crate::views::console_staff_sso::{self as view, SsoDraft, StaffSsoView};
use crate::views::form::Problems;
use porch_types::error::AppError;
use porch_types::ids::TenantId;

fn statements(tenant: TenantId) -> Vec<Statement> {
    vec![tenants::get_statement(tenant), staff_sso::get_statement(tenant), staff_sso::domains_statement(tenant)]
}

/// The page's reads: the tenant, its connection and its domains.
pub fn reads(raw: &str) -> Vec<Statement> {
    TenantId::parse(raw).map(statements).unwrap_or_default()
}

struct Loaded {
    tenant: tenants::TenantRow,
    current: Option<StaffSsoRow>,
    domains: Vec<DomainRow>,
}

fn loaded(rows: Vec<Vec<serde_json::Value>>) -> Result<Loaded, AppError> {
    let mut rows = rows.into_iter();
    let tenant = tenant_of(&mut rows)?;
    let current = decode_rows::<StaffSsoRow>(rows.next())?.into_iter().next();
    let domains = decode_rows::<DomainRow>(rows.next())?;
    Ok(Loaded { tenant, current, domains })
}

fn draw<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    loaded: &Loaded,
    (status, draft, problems): (u16, Option<SsoDraft>, &Problems),
    notice: Option<&str>,
) -> Result<Response, AppError> {
    let draft =
        draft.unwrap_or_else(|| SsoDraft::of(loaded.current.as_ref().map(|row| (row, loaded.domains.as_slice()))));
    let origin = links::origin(&console.rt.config().console_host, console.req.header("host").unwrap_or(""));
    let callback = loaded.current.as_ref().map(|row| redirect_uri(&origin, &row.id));
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let page = StaffSsoView {
        tenant: &loaded.tenant,
        current: loaded.current.as_ref(),
        domains: &loaded.domains,
        draft: &draft,
        redirect_uri: callback.as_deref(),
        problems,
        notice,
        editable: person.role.can_manage_keys(),
    };
    Ok(console.with_csrf(Response::html(status, view::page(console.lang, &who, &page)), &csrf))
}

pub fn page<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let loaded = loaded(console.prefetched.clone())?;
    let s = console.lang.staff_sso();
    let notice = match console.req.query_param("done").as_deref() {
        Some("saved") => Some(s.saved),
        Some("removed") => Some(s.removed),
        Some("proved") => Some(s.domain_proved),
        _ => None,
    };
    draw(console, &person, &loaded, (200, None, &Problems::default()), notice)
}

/// The form's precondition: the version it was drawn from, or (drawn before there was a
/// connection) that there is none yet.
fn precondition(fields: &[(String, String)]) -> Result<Precondition, AppError> {
    match field(fields, "version") {
        "" => Ok(Precondition::None),
        _ => drawn_version(fields),
    }
}

/// Domains as typed: separated by spaces, commas or new lines.
fn typed_domains(raw: &str) -> Vec<String> {
    raw.split(|c: char| c.is_whitespace() || c == ',').filter(|d| !d.is_empty()).map(str::to_owned).collect()
}

/// The form's control a rule's field error belongs to (`domains[2]` is the domains field).
fn control_of(field: &str) -> Option<&'static str> {
    match field {
        "issuer" => Some("issuer"),
        "client_id" => Some("client_id"),
        "client_secret" => Some("client_secret"),
        _ if field == "domains" || field.starts_with("domains[") => Some("domains"),
        _ => None,
    }
}

pub async fn save<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let fields = console.form_if(person.role.can_manage_keys())?;
    let pre = precondition(&fields)?;
    let drawn_before_any = field(&fields, "version").is_empty();
    let draft = SsoDraft {
        issuer: field(&fields, "issuer").to_owned(),
        client_id: field(&fields, "client_id").to_owned(),
        domains: field(&fields, "domains").to_owned(),
        enabled: field(&fields, "enabled") == "yes",
    };
    let secret = field(&fields, "client_secret");
    let input = StaffSsoInput {
        issuer: Some(draft.issuer.clone()),
        client_id: Some(draft.client_id.clone()),
        // Empty: keep the secret kept (or, for a first connection, the rule says it is needed).
        client_secret: (!secret.is_empty()).then(|| secret.to_owned()),
        domains: Some(typed_domains(&draft.domains)),
        enabled: Some(draft.enabled),
    };
    let acting = person.acting();
    // A form drawn while there was no connection, saved after someone made one: stale.
    let outcome = if drawn_before_any && staff_sso::get(console.rt.db(), tenant).await?.is_some() {
        Err(AppError::PreconditionFailed(None))
    } else {
        rules::put(console.rt, (tenant, &acting), &input, &pre).await
    };
    let (status, draft, problems) = match outcome {
        Ok(_) => return Ok(Response::see_other(&format!("/tenants/{tenant}/staff/sso?done=saved"))),
        Err(AppError::Invalid(errors)) => {
            // The shared rule's words are the API's English.
            let mut problems = Problems::default();
            for error in errors {
                problems.add_written(control_of(&error.field), error.message, Language::En);
            }
            (422, Some(draft), problems)
        }
        Err(AppError::PreconditionFailed(_)) => (409, None, Problems::general(console.lang.staff_sso().stale)),
        Err(err) => return Err(err),
    };
    let loaded = loaded(console.rt.db().read_batch(statements(tenant)).await?)?;
    draw(console, &person, &loaded, (status, draft, &problems), None)
}

pub async fn remove<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let fields = console.form_if(person.role.can_manage_keys())?;
    let pre = precondition(&fields)?;
    match rules::delete(console.rt, (tenant, &person.acting()), &pre).await {
        Ok(()) => Ok(Response::see_other(&format!("/tenants/{tenant}/staff/sso?done=removed"))),
        Err(AppError::PreconditionFailed(_)) => {
            let loaded = loaded(console.rt.db().read_batch(statements(tenant)).await?)?;
            let problems = Problems::general(console.lang.staff_sso().stale);
            draw(console, &person, &loaded, (409, None, &problems), None)
        }
        Err(err) => Err(err),
    }
}

/// "Check now": the TXT record of one domain, through `app::staff_sso::verify_domain`, as
/// `verifyStaffSsoDomain` checks it.
pub async fn verify<R: Runtime>(console: &Console<'_, R>, (raw, domain): (&str, &str)) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    console.form_if(person.role.can_manage_keys())?;
    let domain = domain.to_ascii_lowercase();
    let problems = match rules::verify_domain(console.rt, (tenant, &person.acting()), &domain).await {
        Ok(None) => return Ok(Response::see_other(&format!("/tenants/{tenant}/staff/sso?done=proved"))),
        // The reason is the DNS answer's, as the API gives it.
        Ok(Some(why)) => Problems::general((console.lang.staff_sso().not_yet)(&domain, &why)),
        Err(AppError::Conflict(message)) => {
            let mut problems = Problems::default();
            problems.add_written(None, message, Language::En);
            problems
        }
        Err(err) => return Err(err),
    };
    let loaded = loaded(console.rt.db().read_batch(statements(tenant)).await?)?;
    draw(console, &person, &loaded, (409, None, &problems), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_may_be_typed_with_spaces_commas_or_lines() {
        assert_eq!(typed_domains(" acme.example,acme.co.uk\nacme.dk  "), ["acme.example", "acme.co.uk", "acme.dk"]);
        assert!(typed_domains("  ").is_empty());
        assert_eq!(control_of("domains[1]"), Some("domains"));
        assert_eq!(control_of("anything"), None);
    }
}
