//! The API keys tab (`views::console_keys`). "Create key" and "Revoke" call `app::api_keys`,
//! as `createKey` and `revokeKey` do; only the tenant's owners (and the operator) may, since
//! a key acts with an owner's reach (`StaffRole::can_manage_keys`).

use super::sign_in::field;
use super::{tenant_of, Console, MadeOnce, Person};
use crate::app::api_keys as rules;
use crate::http::Response;
use crate::i18n::Translations as _;
use crate::runtime::Runtime;
use crate::store::keys::{self, KeyRow};
use crate::store::{decode_rows, tenants, Database, Statement};
use crate::views::console_keys::{self as view, KeysView};
use crate::views::form::Problems;
use porch_types::error::AppError;
use porch_types::ids::{ApiKeyId, TenantId};

fn statements(tenant: TenantId) -> Vec<Statement> {
    vec![tenants::get_statement(tenant), keys::list_statement(tenant)]
}

/// The page's reads: the tenant and its keys.
pub fn reads(raw: &str) -> Vec<Statement> {
    TenantId::parse(raw).map(statements).unwrap_or_default()
}

fn draw<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    rows: Vec<Vec<serde_json::Value>>,
    status: u16,
    shown: &MadeOnce<'_>,
) -> Result<Response, AppError> {
    let mut rows = rows.into_iter();
    let tenant = tenant_of(&mut rows)?;
    let keys: Vec<KeyRow> = decode_rows(rows.next())?;
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let page = KeysView {
        tenant: &tenant,
        keys: &keys,
        manageable: person.role.can_manage_keys(),
        secret: shown.secret.as_deref(),
        notice: shown.notice,
        problems: &shown.problems,
        typed: &shown.typed,
    };
    Ok(console.with_csrf(Response::html(status, view::page(console.lang, &who, &page)), &csrf))
}

pub fn page<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let notice =
        (console.req.query_param("done").as_deref() == Some("revoked")).then_some(console.lang.keys().key_revoked);
    draw(console, &person, console.prefetched.clone(), 200, &MadeOnce { notice, ..MadeOnce::default() })
}

pub async fn create<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let fields = console.form_if(person.role.can_manage_keys())?;
    let typed = field(&fields, "name").to_owned();
    let (status, shown) = match rules::create(console.rt, tenant, &person.acting().actor, Some(&typed)).await {
        // The page answers the POST itself: the secret is in no URL, history or log.
        Ok(made) => (200, MadeOnce { secret: Some(made.secret), ..MadeOnce::default() }),
        Err(AppError::Invalid(_)) => {
            let c = console.lang.console();
            let problem = if typed.trim().is_empty() { c.enter_a_name } else { c.name_invalid };
            (422, MadeOnce { problems: Problems::of("name", problem), typed, ..MadeOnce::default() })
        }
        Err(err) => return Err(err),
    };
    let rows = console.rt.db().read_batch(statements(tenant)).await?;
    draw(console, &person, rows, status, &shown)
}

pub async fn revoke<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_key: &str,
) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw_tenant).ok_or(AppError::NotFound)?;
    let key = ApiKeyId::parse(raw_key).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    console.form_if(person.role.can_manage_keys())?;
    rules::revoke(console.rt, tenant, &person.acting().actor, key).await?;
    Ok(Response::see_other(&format!("/tenants/{tenant}/keys?done=revoked")))
}
