//! Retry policy: which failures are retried (connect errors, 429, 502/503/504), how long
//! to wait (exponential backoff with jitter, `Retry-After` honoured), and when to stop
//! (attempts and total time).

use std::time::Duration;

/// When and how often to retry a request that failed before any record was delivered.
/// Other 4xx errors are never retried.
///
/// ```
/// use std::time::Duration;
/// use galileo_export::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(200))
///     .max_elapsed(Duration::from_secs(60));
/// assert_eq!(policy.attempts(), 5);
/// assert_eq!(RetryPolicy::none().attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
    jitter: bool,
}

impl Default for RetryPolicy {
    /// 4 attempts, backoff from 500 ms doubling up to 30 s, at most 5 minutes in all, with jitter.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_elapsed: Duration::from_secs(300),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Total attempts, including the first (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Wait before the first retry; doubles at each further retry.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Upper bound of one wait.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Give up once this much time has passed since the first attempt.
    pub fn max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// Randomize waits (full jitter) so that many clients do not retry in lockstep.
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Total attempts allowed.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The time budget.
    pub fn elapsed_budget(&self) -> Duration {
        self.max_elapsed
    }

    /// How long to wait before retry number `retry` (1-based), given the server's
    /// `Retry-After`, if any (which wins when longer).
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(
                1u32.checked_shl(retry.saturating_sub(1))
                    .unwrap_or(u32::MAX),
            )
            .min(self.max_backoff);
        let backoff = if self.jitter && !exp.is_zero() {
            // Full jitter in [exp/2, exp]: never zero, never more than the cap.
            let half = exp / 2;
            let extra = (exp - half).mul_f64(rand::random::<f64>());
            half.saturating_add(extra).min(exp)
        } else {
            exp
        };
        match retry_after {
            Some(after) if after > backoff => after,
            _ => backoff,
        }
    }
}

/// Run `call` until it succeeds, fails for good (an error that
/// [`is_retryable`](crate::Error::is_retryable) says is not worth retrying) or `policy`
/// is spent (its attempts or its time budget, a `Retry-After` beyond the budget
/// included), waiting between attempts as the export does: for the small requests
/// beside an export (name lookups, counts).
#[cfg(any(galileo_has_project_lookup, galileo_has_counts))]
pub(crate) async fn retrying<T, F, Fut>(
    policy: &RetryPolicy,
    mut call: F,
) -> Result<T, crate::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, crate::Error>>,
{
    let started = tokio::time::Instant::now();
    let mut failures = 0u32;
    loop {
        let error = match call().await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        if !error.is_retryable() {
            return Err(error);
        }
        failures += 1;
        if failures >= policy.attempts() {
            return Err(error);
        }
        let retry_after = match &error {
            crate::Error::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        };
        let delay = policy.delay(failures, retry_after);
        match started.elapsed().checked_add(delay) {
            Some(when) if when <= policy.elapsed_budget() => {}
            _ => return Err(error),
        }
        tokio::time::sleep(delay).await;
    }
}

/// Parse a `Retry-After` header: delta-seconds or an HTTP date. Any value is accepted
/// without panicking; an absurd wait (`18446744073709551615`) is returned as is, and the
/// retry loop treats it as beyond its time budget.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy::default()
            .jitter(false)
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(350));
        assert_eq!(p.delay(1, None), Duration::from_millis(100));
        assert_eq!(p.delay(2, None), Duration::from_millis(200));
        assert_eq!(p.delay(3, None), Duration::from_millis(350));
        assert_eq!(p.delay(40, None), Duration::from_millis(350));
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn jitter_stays_within_half_and_full() {
        let p = RetryPolicy::default().initial_backoff(Duration::from_millis(100));
        for _ in 0..100 {
            let d = p.delay(2, None);
            assert!(
                d >= Duration::from_millis(100) && d <= Duration::from_millis(200),
                "{d:?}"
            );
        }
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(
            parse_retry_after("18446744073709551615"),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(parse_retry_after("18446744073709551616"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn huge_waits_do_not_overflow() {
        let p = RetryPolicy::default()
            .max_backoff(Duration::MAX)
            .initial_backoff(Duration::MAX);
        for retry in [1, 2, 63, 64, u32::MAX] {
            assert!(p.delay(retry, Some(Duration::MAX)) == Duration::MAX);
            assert!(p.delay(retry, None) <= Duration::MAX);
        }
    }

    proptest::proptest! {
        /// No header value makes the parser panic.
        #[test]
        fn retry_after_parser_never_panics(value in proptest::prelude::any::<String>()) {
            let _ = parse_retry_after(&value);
        }

        /// Header-like values (digits, dates, junk) parse or are refused, never panic.
        #[test]
        fn retry_after_like_values(value in "[0-9]{0,30}|[A-Za-z]{3}, [0-9]{1,2} [A-Za-z]{3} [0-9]{1,6} [0-9:]{1,10} [A-Z+0-9-]{1,5}") {
            if let Some(wait) = parse_retry_after(&value) {
                proptest::prop_assert!(wait <= Duration::MAX);
            }
        }

        /// Any policy, retry number and server wait gives a delay without panicking.
        #[test]
        fn delay_never_panics(
            initial in proptest::prelude::any::<u64>(),
            max in proptest::prelude::any::<u64>(),
            retry in proptest::prelude::any::<u32>(),
            after in proptest::option::of(proptest::prelude::any::<u64>()),
            jitter in proptest::prelude::any::<bool>(),
        ) {
            let p = RetryPolicy::default()
                .initial_backoff(Duration::from_nanos(initial).saturating_mul(1_000))
                .max_backoff(Duration::from_secs(max))
                .jitter(jitter);
            let _ = p.delay(retry, after.map(Duration::from_secs));
        }
    }
}
