//! The console's people and their sessions: the platform's first operator, made once; a
//! person found by email for the password step; the TOTP second factor set up with its
//! recovery codes; and each step of a sign-in as one atomic batch that also replaces the
//! session (a new token at every step up, OWASP Session Management: renew the session id
//! after any privilege change). A code or recovery code is spent in the same batch that makes
//! the signed-in session, guarded so two requests racing with one code make one session.

use serde::Deserialize;

use super::audit::{Actor, Change};
use super::{Database, DbError, Statement};
use crate::params;
use porch_types::ids::StaffId;
use porch_types::time::Timestamp;

/// How far a session's sign-in has come (`staff_sessions.stage`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The password was right; the second factor is still to give.
    Password,
    /// The password was right and the person has no second factor yet: setting it up is the
    /// only thing this session may do.
    Enrol,
    SignedIn,
}

impl Stage {
    fn code(self) -> &'static str {
        match self {
            Stage::Password => "password",
            Stage::Enrol => "enrol",
            Stage::SignedIn => "signed_in",
        }
    }
}

/// A person of the console as the password step needs them.
#[derive(Clone, Debug, Deserialize)]
pub struct StaffRow {
    pub id: StaffId,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    /// 1 once the person has set up a second factor.
    has_second_factor: i64,
}

impl StaffRow {
    pub fn has_second_factor(&self) -> bool {
        self.has_second_factor == 1
    }
}

/// A console session with its person.
#[derive(Clone, Debug, Deserialize)]
pub struct StaffSession {
    pub token_hash: String,
    pub stage: Stage,
    /// The sealed secret being set up (`Stage::Enrol`).
    pub pending_secret: Option<String>,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub staff_id: StaffId,
    pub tenant_id: Option<String>,
    pub email: String,
    pub name: String,
    pub role: String,
    /// The sealed TOTP secret, once set up.
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
}

/// A new session's row.
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub stage: Stage,
    pub pending_secret: Option<&'a str>,
    pub expires_at: Timestamp,
}

/// The session insert, with an optional condition (SQL text of ours).
macro_rules! insert_session {
    ($condition:literal) => {
        concat!(
            "INSERT INTO staff_sessions (token_hash, staff_id, stage, pending_secret, created_at, last_seen_at, expires_at)
             SELECT ?1, ?2, ?3, ?4, ?5, ?5, ?6 ",
            $condition
        )
    };
}

fn session_params(staff: StaffId, session: &NewSession<'_>, now: Timestamp) -> Vec<super::Value> {
    params![
        session.token_hash,
        staff.to_db(),
        session.stage.code(),
        session.pending_secret,
        now.millis(),
        session.expires_at.millis()
    ]
}

/// A session insert, written only if the statement before it in the batch changed a row.
pub(super) fn insert_session_if_changed(staff: StaffId, session: &NewSession<'_>, now: Timestamp) -> Statement {
    Statement::new(insert_session!("WHERE changes() > 0"), session_params(staff, session, now))
}

/// Ends a session, only if the statement before it in the batch changed a row (its
/// successor was written).
fn delete_session_if_changed(token_hash: &str) -> Statement {
    Statement::new("DELETE FROM staff_sessions WHERE token_hash = ?1 AND changes() > 0", params![token_hash])
}

/// Whether the platform has an operator yet (the set-up page is open only until it has).
pub async fn has_operator(db: &impl Database) -> Result<bool, DbError> {
    #[derive(Deserialize)]
    struct Found {
        found: i64,
    }
    let statement = Statement::new("SELECT EXISTS (SELECT 1 FROM staff WHERE role = 'operator') AS found", Vec::new());
    Ok(db.query_one::<Found>(statement).await?.is_some_and(|f| f.found == 1))
}

/// The platform's first operator.
pub struct FirstOperator<'a> {
    pub id: StaffId,
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
}

/// Makes the first operator and their session (setting up the second factor), audited, in
/// one batch; only while the platform has no operator, so of two racing set-ups one wins.
/// Returns whether this one did.
pub async fn create_first_operator(
    db: &impl Database,
    operator: &FirstOperator<'_>,
    session: &NewSession<'_>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let actor = Actor::Staff(format!("staff:{}", operator.id));
    let change = Change {
        tenant: None,
        actor: &actor,
        action: "staff.create",
        target_type: "staff",
        target_id: operator.id.to_db(),
        before: None,
        after: Some(serde_json::json!({ "email": operator.email, "name": operator.name, "role": "operator" })),
    };
    let changed = db
        .batch(vec![
            Statement::new(
                "INSERT INTO staff (id, tenant_id, email, name, role, password_hash, created_at)
                 SELECT ?1, NULL, ?2, ?3, 'operator', ?4, ?5
                 WHERE NOT EXISTS (SELECT 1 FROM staff WHERE role = 'operator')",
                params![operator.id.to_db(), operator.email, operator.name, operator.password_hash, now.millis()],
            ),
            change.statement_if_changed(now),
            insert_session_if_changed(operator.id, session, now),
        ])
        .await?;
    Ok(changed.first().is_some_and(|&n| n > 0))
}

/// The person with this email, for the password step.
pub async fn find_by_email(db: &impl Database, email: &str) -> Result<Option<StaffRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT id, email, name, role, password_hash, totp_secret IS NOT NULL AS has_second_factor
         FROM staff WHERE email = ?1",
        params![email],
    ))
    .await
}

/// The password step's session (to give or set up the second factor next), for the batch
/// that also ends the browser's earlier session and gives back its sign-in attempt.
pub fn insert_session(staff: StaffId, session: &NewSession<'_>, now: Timestamp) -> Statement {
    Statement::new(insert_session!(""), session_params(staff, session, now))
}

/// The session with this token hash and its person (expiry is the caller's to judge).
pub fn find_session(token_hash: &str) -> Statement {
    Statement::new(
        "SELECT s.token_hash, s.stage, s.pending_secret, s.last_seen_at, s.expires_at, s.staff_id,
                p.tenant_id, p.email, p.name, p.role, p.totp_secret, p.totp_last_step
         FROM staff_sessions s JOIN staff p ON p.id = s.staff_id
         WHERE s.token_hash = ?1",
        params![token_hash],
    )
}

/// The secret an enrolling session sets up, once it is proven it may (only if it has none).
pub fn set_pending_secret(token_hash: &str, sealed: &str) -> Statement {
    Statement::new(
        "UPDATE staff_sessions SET pending_secret = ?2
         WHERE token_hash = ?1 AND stage = 'enrol' AND pending_secret IS NULL",
        params![token_hash, sealed],
    )
}

/// Records activity for the idle timeout.
pub fn touch(token_hash: &str, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE staff_sessions SET last_seen_at = ?2 WHERE token_hash = ?1",
        params![token_hash, now.millis()],
    )
}

pub fn delete_session(token_hash: &str) -> Statement {
    Statement::new("DELETE FROM staff_sessions WHERE token_hash = ?1", params![token_hash])
}

/// Finishes setting up the second factor: the secret (sealed) and the step of the code that
/// proved it, the recovery codes' hashes replacing any before, and a signed-in session
/// replacing the set-up one. Only if the person has no second factor yet and the set-up
/// session is still there; returns whether it was done.
pub async fn finish_enrolment(
    db: &impl Database,
    session: &StaffSession,
    sealed_secret: &str,
    step: i64,
    recovery_hashes: &[String],
    signed_in: &NewSession<'_>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let staff = session.staff_id;
    let mut statements = vec![
        Statement::new(
            "UPDATE staff SET totp_secret = ?2, totp_last_step = ?3
             WHERE id = ?1 AND totp_secret IS NULL
               AND EXISTS (SELECT 1 FROM staff_sessions WHERE token_hash = ?4 AND staff_id = ?1 AND stage = 'enrol')",
            params![staff.to_db(), sealed_secret, step, session.token_hash.as_str()],
        ),
        insert_session_if_changed(staff, signed_in, now),
        delete_session_if_changed(&session.token_hash),
        Statement::new(
            "DELETE FROM staff_recovery_codes WHERE staff_id = ?1 AND changes() > 0",
            params![staff.to_db()],
        ),
    ];
    // Each code is written only while the signed-in session exists: a set-up that lost the
    // race above writes none.
    statements.extend(recovery_hashes.iter().map(|hash| {
        Statement::new(
            "INSERT INTO staff_recovery_codes (staff_id, code_hash)
             SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM staff_sessions WHERE token_hash = ?3 AND stage = 'signed_in')",
            params![staff.to_db(), hash.as_str(), signed_in.token_hash],
        )
    }));
    let changed = db.batch(statements).await?;
    Ok(changed.first().is_some_and(|&n| n > 0))
}

/// Accepts a TOTP code of `step` for the session's person: the step is recorded (no code of
/// it or before passes again) and the signed-in session replaces the password one, only if
/// no code of this step or later was accepted before. Returns whether it was.
pub async fn accept_code(
    db: &impl Database,
    session: &StaffSession,
    step: i64,
    signed_in: &NewSession<'_>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let spend = Statement::new(
        "UPDATE staff SET totp_last_step = ?2
         WHERE id = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)
           AND EXISTS (SELECT 1 FROM staff_sessions WHERE token_hash = ?3 AND staff_id = ?1 AND stage = 'password')",
        params![session.staff_id.to_db(), step, session.token_hash.as_str()],
    );
    step_up(db, spend, session, signed_in, now).await
}

/// Spends a recovery code (by its hash) for the session's person, making the signed-in
/// session in its place; returns whether the code was there to spend.
pub async fn spend_recovery_code(
    db: &impl Database,
    session: &StaffSession,
    code_hash: &str,
    signed_in: &NewSession<'_>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let spend = Statement::new(
        "DELETE FROM staff_recovery_codes WHERE staff_id = ?1 AND code_hash = ?2
           AND EXISTS (SELECT 1 FROM staff_sessions WHERE token_hash = ?3 AND staff_id = ?1 AND stage = 'password')",
        params![session.staff_id.to_db(), code_hash, session.token_hash.as_str()],
    );
    step_up(db, spend, session, signed_in, now).await
}

/// The second factor's step up, in one batch: `spend` (a code's step recorded, a recovery
/// code deleted), then, only if it changed a row, the signed-in session in place of the
/// password one. Returns whether `spend` did.
async fn step_up(
    db: &impl Database,
    spend: Statement,
    session: &StaffSession,
    signed_in: &NewSession<'_>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let changed = db
        .batch(vec![
            spend,
            insert_session_if_changed(session.staff_id, signed_in, now),
            delete_session_if_changed(&session.token_hash),
        ])
        .await?;
    Ok(changed.first().is_some_and(|&n| n > 0))
}

/// How many recovery codes the person of the session `token_hash` has left (a row with
/// `remaining`): read with the session lookup, before the person is known.
pub fn recovery_codes_left(token_hash: &str) -> Statement {
    Statement::new(
        "SELECT count(*) AS remaining FROM staff_recovery_codes
         WHERE staff_id = (SELECT staff_id FROM staff_sessions WHERE token_hash = ?1)",
        params![token_hash],
    )
}

/// A `recovery_codes_left` row.
#[derive(Deserialize)]
pub struct CodesLeft {
    pub remaining: i64,
}
