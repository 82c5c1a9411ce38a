//! Login throttling: failures are counted per account and per client address in the
//! database (so every node sees the same counts) and checked *before* the password is
//! hashed, so a flood of guesses costs the attacker, not the server.

use chrono::{Duration, NaiveDateTime};

use crate::config::Settings;
use crate::db::DbConn;
use crate::db::models::login_attempts;
use crate::error::{AppError, AppResult};

/// The two buckets a login attempt counts against.
pub struct LoginBuckets {
    account: String,
    address: String,
}

impl LoginBuckets {
    /// Buckets for an email (as typed, normalised) and a client address.
    pub fn new(email: &str, address: &str) -> Self {
        Self {
            account: format!("account:{}", email.trim().to_lowercase()),
            address: format!("address:{address}"),
        }
    }

    /// Buckets for password reset requests: every request counts, so nobody can flood a
    /// mailbox with reset mails or probe many addresses from one client.
    pub fn reset(email: &str, address: &str) -> Self {
        Self {
            account: format!("reset-account:{}", email.trim().to_lowercase()),
            address: format!("reset-address:{address}"),
        }
    }
}

/// Refuses with 429 when either bucket is full within the window.
pub fn check(
    conn: &mut DbConn,
    settings: &Settings,
    buckets: &LoginBuckets,
    now: NaiveDateTime,
) -> AppResult<()> {
    let window = Duration::seconds(settings.login_window_secs);
    let limits = [
        (&buckets.account, settings.login_failures_per_account),
        (&buckets.address, settings.login_failures_per_address),
    ];
    for (bucket, limit) in limits {
        if let Some((failures, start)) = login_attempts::get(conn, bucket)?
            && start + window > now
            && failures >= i32::try_from(limit).unwrap_or(i32::MAX)
        {
            let retry_after = (start + window - now).num_seconds().max(1);
            return Err(AppError::RateLimited { retry_after: retry_after.unsigned_abs() });
        }
    }
    Ok(())
}

/// Counts a failed attempt in both buckets.
pub fn record_failure(
    conn: &mut DbConn,
    settings: &Settings,
    buckets: &LoginBuckets,
    now: NaiveDateTime,
) -> AppResult<()> {
    let floor = now - Duration::seconds(settings.login_window_secs);
    login_attempts::record_failure(conn, &buckets.account, now, floor)?;
    login_attempts::record_failure(conn, &buckets.address, now, floor)?;
    Ok(())
}

/// Resets the account's counter after a successful login (the address keeps its count).
pub fn record_success(conn: &mut DbConn, buckets: &LoginBuckets) -> AppResult<()> {
    Ok(login_attempts::clear(conn, &buckets.account)?)
}

/// Counts a registration attempt from a client address, refusing with 429 once `per_hour`
/// were made within the hour. Counted in the database, like sign-ins, so that several
/// nodes together allow no more than one would.
pub fn count_registration(
    conn: &mut DbConn,
    per_hour: u32,
    address: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    let bucket = format!("register-address:{address}");
    let window = Duration::hours(1);
    if let Some((attempts, start)) = login_attempts::get(conn, &bucket)?
        && start + window > now
        && attempts >= i32::try_from(per_hour).unwrap_or(i32::MAX)
    {
        let retry_after = (start + window - now).num_seconds().max(1);
        return Err(AppError::RateLimited { retry_after: retry_after.unsigned_abs() });
    }
    login_attempts::record_failure(conn, &bucket, now, now - window)?;
    Ok(())
}
