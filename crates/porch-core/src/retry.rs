//! The retry rules every outbound queue shares (the email outbox, webhook deliveries): how
//! long a run holds what it claimed, the wait between attempts, when to give up, and what one
//! attempt came to. One set of rules, so a provider reading the docs of one knows the other.

use std::fmt;

use porch_types::time::Timestamp;

/// A message is given up after this many failed attempts.
pub const MAX_ATTEMPTS: i64 = 6;
/// How long a run may hold claimed messages before another run may take them over. Far longer
/// than a run needs (each send is one request), short enough that a crashed run delays little.
pub const LEASE_SECONDS: i64 = 5 * 60;
/// A receiver's answer is kept in `last_error` up to this many characters.
const ERROR_DETAIL_CHARS: usize = 300;

/// The wait before attempt `failures + 1`, after `failures` failed attempts: 1, 2, 4, 8 and
/// 16 minutes; None once `MAX_ATTEMPTS` attempts have failed.
pub fn retry_delay_minutes(failures: i64) -> Option<i64> {
    (1..MAX_ATTEMPTS).contains(&failures).then(|| 1_i64 << (failures - 1))
}

/// The start of a receiver's answer, short enough for `last_error`.
pub fn excerpt(body: &str) -> String {
    body.chars().take(ERROR_DETAIL_CHARS).collect()
}

/// What became of one delivery attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Try again at this time.
    Retry {
        at: Timestamp,
        error: String,
    },
    /// Given up: the receiver refused it, or it failed too often.
    Failed {
        error: String,
    },
}

impl Outcome {
    /// A failed attempt on a message that had already failed `attempts` times: retried after
    /// the backoff while attempts remain and the failure may pass (`retryable`), else failed.
    pub fn after_failure(attempts: i64, retryable: bool, error: String, now: Timestamp) -> Outcome {
        match retry_delay_minutes(attempts + 1).filter(|_| retryable) {
            Some(minutes) => Outcome::Retry { at: now.plus_seconds(minutes * 60), error },
            None => Outcome::Failed { error },
        }
    }
}

/// As the log says it: no error text, which may quote a receiver.
impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Sent => f.write_str("sent"),
            Outcome::Retry { at, .. } => write!(f, "will retry at {at}"),
            Outcome::Failed { .. } => f.write_str("failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_from_one_minute_and_stops_after_six_attempts() {
        let delays: Vec<_> = (1..=MAX_ATTEMPTS).map(retry_delay_minutes).collect();
        assert_eq!(delays, [Some(1), Some(2), Some(4), Some(8), Some(16), None]);
        assert_eq!(retry_delay_minutes(0), None);
    }

    #[test]
    fn a_failure_is_retried_while_attempts_remain_and_only_if_it_may_pass() {
        let now = Timestamp::from_millis(1_000_000);
        let error = || "boom".to_owned();
        assert_eq!(
            Outcome::after_failure(0, true, error(), now),
            Outcome::Retry { at: now.plus_seconds(60), error: error() }
        );
        assert_eq!(
            Outcome::after_failure(4, true, error(), now),
            Outcome::Retry { at: now.plus_seconds(16 * 60), error: error() }
        );
        assert_eq!(Outcome::after_failure(5, true, error(), now), Outcome::Failed { error: error() });
        assert_eq!(Outcome::after_failure(0, false, error(), now), Outcome::Failed { error: error() });
    }

    #[test]
    fn the_log_form_never_carries_the_error_text() {
        let at = Timestamp::from_millis(0);
        assert_eq!(
            Outcome::Retry { at, error: "secret answer".into() }.to_string(),
            "will retry at 1970-01-01T00:00:00.000Z"
        );
        assert_eq!(Outcome::Failed { error: "secret answer".into() }.to_string(), "failed");
        assert_eq!(excerpt(&"x".repeat(400)).len(), 300);
    }
}
