//! Who is visiting: the session behind the cookie, checked against the portal's absolute
//! lifetime and idle timeout on every request. One D1 query per page; the idle clock is
//! written at most once a minute per session, not on every request.

use super::Page;
use crate::auth::cookies;
pub use crate::auth::member::Member;
use crate::auth::secret::{presented_hash, stored_hash_matches, Token};
use crate::i18n::Translations as _;
use crate::portal_context::Agreed;
use crate::runtime::Runtime;
use crate::store::sessions::{self, Holder, SessionRow};
use crate::store::{Database, Statement};
use porch_types::access::Role;
use porch_types::error::AppError;
use porch_types::ids::AccountId;
use porch_types::time::Timestamp;

/// `last_seen_at` is rewritten at most this often, so reads do not all become writes.
const TOUCH_INTERVAL_MS: i64 = 60_000;

#[derive(Clone, Debug)]
pub enum Visitor {
    Anonymous,
    Signed(Member),
}

impl Visitor {
    pub fn member(&self) -> Option<&Member> {
        match self {
            Visitor::Signed(member) => Some(member),
            Visitor::Anonymous => None,
        }
    }

    pub fn is_preview(&self) -> bool {
        self.member().is_some_and(|m| m.preview)
    }
}

/// The visitor of this request (a live session of this portal, or nobody) and the rows of
/// `reads`, which are run in the same D1 round trip as the session lookup. `reads` gets the
/// presented token's hash; its statements must find nothing for a session that does not
/// exist or has expired (the ticket reads derive their viewer from that hash), and their rows
/// are dropped when the session turns out dead here (idle, say).
pub async fn load<R: Runtime>(
    page: &Page<'_, R>,
    reads: impl FnOnce(&str) -> Vec<Statement>,
) -> Result<(Visitor, Vec<Vec<serde_json::Value>>), AppError> {
    let Some(hash) = cookies::read(page.req, page.cookies.session).and_then(presented_hash) else {
        return Ok((Visitor::Anonymous, Vec::new()));
    };
    // Bound to this portal: a cookie of portal A shown to portal B finds nothing.
    let lookup = sessions::find(page.scope, &hash);
    let reads = reads(&hash);
    let (row, rows) = if reads.is_empty() {
        (page.rt.db().query_one::<SessionRow>(lookup).await?, Vec::new())
    } else {
        let mut statements = vec![lookup];
        statements.extend(reads);
        let mut results = page.rt.db().read_batch(statements).await?.into_iter();
        let session = results.next().unwrap_or_default().into_iter().next();
        let row = session
            .map(serde_json::from_value::<SessionRow>)
            .transpose()
            .map_err(|e| AppError::Internal(format!("session row shape: {e}")))?;
        (row, results.collect())
    };
    let visitor = admit(page, &hash, row).await?;
    let rows = if matches!(visitor, Visitor::Signed(_)) { rows } else { Vec::new() };
    Ok((visitor, rows))
}

/// Checks a found session against this portal's absolute lifetime and idle timeout.
async fn admit<R: Runtime>(page: &Page<'_, R>, hash: &str, row: Option<SessionRow>) -> Result<Visitor, AppError> {
    let Some(row) = row else {
        return Ok(Visitor::Anonymous);
    };
    if !stored_hash_matches(&row.token_hash, hash) {
        return Ok(Visitor::Anonymous);
    }
    let now = page.rt.now();
    let access = &page.portal.context.access;
    let idle_limit_ms = access.idle_timeout_minutes.saturating_mul(60_000);
    // OWASP Session Management: both an idle and an absolute timeout, enforced server-side.
    if row.expires_at <= now.millis() || now.millis() - row.last_seen_at > idle_limit_ms {
        page.rt.db().execute(sessions::delete(page.scope, hash)).await?;
        return Ok(Visitor::Anonymous);
    }
    if now.millis() - row.last_seen_at >= TOUCH_INTERVAL_MS {
        if let Err(err) = page.rt.db().execute(sessions::touch(page.scope, hash, now)).await {
            page.rt.log(&format!("could not record session activity: {err}"));
        }
    }
    Ok(member_of(row, page).map_or(Visitor::Anonymous, Visitor::Signed))
}

fn member_of<R: Runtime>(row: SessionRow, page: &Page<'_, R>) -> Option<Member> {
    let preview = row.preview_id.is_some();
    let account = row.account_id.as_deref().and_then(AccountId::parse);
    match (account, row.name, row.email, row.role) {
        (Some(account), Some(name), Some(email), Some(role)) => Some(Member {
            token_hash: row.token_hash,
            account: Some(account),
            name,
            email,
            role,
            customer_id: row.customer_id,
            preview,
            ticket_visibility: row.ticket_visibility,
            agreed: Agreed { terms: row.agreed_terms_version, consent: row.agreed_consent_version },
            csrf: String::new(),
        }),
        // A preview as a fresh member of a customer: nobody's account, the plainest role.
        (None, ..) if preview => Some(Member {
            token_hash: row.token_hash,
            account: None,
            name: page.lang.account().preview_fresh_member.to_owned(),
            email: String::new(),
            role: Role::Member,
            customer_id: row.preview_customer_id.or_else(|| page.portal.context.customer_id.clone()),
            preview,
            ticket_visibility: None,
            agreed: Agreed::default(),
            csrf: String::new(),
        }),
        _ => None,
    }
}

/// A new session for a holder: the statement to batch with the change that signs the person
/// in, and the `Set-Cookie` value to send once the batch succeeded. A new token every time
/// (OWASP: renew the session id on any privilege change, so a planted id is worthless).
pub struct NewSession {
    pub token_hash: String,
    pub statement: Statement,
    pub set_cookie: String,
}

pub fn start<R: Runtime>(
    page: &Page<'_, R>,
    holder: &Holder,
    lifetime_ms: i64,
    only_if_changed: bool,
) -> Result<NewSession, AppError> {
    let fresh = fresh_token(page, lifetime_ms)?;
    let now = page.rt.now();
    let expires_at = Timestamp::from_millis(now.millis().saturating_add(lifetime_ms));
    let statement = sessions::insert(page.scope, &fresh.token_hash, holder, expires_at, only_if_changed, now);
    Ok(NewSession { token_hash: fresh.token_hash, statement, set_cookie: fresh.set_cookie })
}

/// A new session token (its hash to store) and the cookie that carries it, for callers that
/// write the session row themselves (SSO finds the account by email inside the statement).
pub struct FreshToken {
    pub token_hash: String,
    pub set_cookie: String,
}

pub fn fresh_token<R: Runtime>(page: &Page<'_, R>, lifetime_ms: i64) -> Result<FreshToken, AppError> {
    let token = Token::generate(page.rt)?;
    let set_cookie = cookies::set(page.cookies.session, &token.text, Some(lifetime_ms / 1000), page.cookies.secure);
    Ok(FreshToken { token_hash: token.hash, set_cookie })
}

/// The portal's absolute session lifetime.
pub fn lifetime_ms<R: Runtime>(page: &Page<'_, R>) -> i64 {
    page.portal.context.access.session_lifetime_hours.saturating_mul(3_600_000)
}
