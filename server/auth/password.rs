//! Argon2id password hashes with the crate's defaults, which are OWASP's recommendation
//! (19 MiB, 2 passes, 1 lane). The server runs them on its hashing threads
//! ([`on_hashing_threads`]); the CLI calls them directly.

use std::sync::{LazyLock, OnceLock};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::{AppError, AppResult};

/// Runs argon2 work (tens of milliseconds of CPU and 19 MiB per hash) on the hashing
/// threads: one per core, each at the lowest CPU priority. The kernel then gives
/// the CPU to page threads whenever they want it and hashing gets what they leave, so a
/// storm of sign-ins cannot starve pages, while a quiet server still hashes at full
/// speed. At equal priority, 50 clients signing in took the benchmark's home feed p99 from
/// 12 ms to 9 s; capping hashing at a quarter of the CPU still left it at 76 ms.
/// Sign-ins beyond one per core wait their turn, in order.
pub async fn on_hashing_threads<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    static THREADS: LazyLock<Result<rayon::ThreadPool, String>> = LazyLock::new(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(std::thread::available_parallelism().map_or(1, |n| n.get()))
            .thread_name(|i| format!("agora-argon2-{i}"))
            .start_handler(|_| lowest_cpu_priority())
            // Without a handler rayon aborts the process on a panic; the caller gets an error.
            .panic_handler(|_| tracing::error!("a password hash panicked"))
            .build()
            .map_err(|e| e.to_string())
    });
    let threads =
        THREADS.as_ref().map_err(|e| AppError::Internal(anyhow::anyhow!("the hashing threads: {e}")))?;
    let (done, result) = tokio::sync::oneshot::channel();
    threads.spawn(move || {
        let _ = done.send(work());
    });
    result.await.map_err(|_| AppError::Internal(anyhow::anyhow!("a password hash panicked")))
}

/// Puts the calling thread in Linux's SCHED_IDLE class: it runs only on CPU time that
/// normal threads leave, and a page thread that wakes takes its CPU at once. (Nice 19 was
/// not enough: a waking thread need not preempt a nice thread, and the home feed's p99
/// during the benchmark's sign-in storm stayed ×5 its normal value.)
fn lowest_cpu_priority() {
    #[cfg(target_os = "linux")]
    {
        use thread_priority::{NormalThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy};
        let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
        let native = thread_priority::thread_native_id();
        if let Err(e) = thread_priority::set_thread_priority_and_policy(native, ThreadPriority::Min, idle) {
            tracing::warn!(error = %e, "the hashing threads keep the normal CPU priority");
        }
    }
}

/// Hashes a password with a fresh random salt.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::encode_b64(&super::secrets::random_bytes::<16>())
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))
}

/// Checks a password against a stored hash. With no hash (unknown email, account without a
/// password) it verifies against a dummy hash, so the answer takes the same time either way
/// and response times do not reveal which emails have accounts.
pub fn verify(stored: Option<&str>, password: &str) -> bool {
    let (encoded, real) = match stored {
        Some(hash) => (hash, true),
        None => (dummy_hash(), false),
    };
    let Ok(parsed) = PasswordHash::new(encoded) else {
        return false;
    };
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && real
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash("agora dummy password for timing").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_verify_and_differ_per_salt() {
        let a = super::hash("correct horse battery").unwrap();
        let b = super::hash("correct horse battery").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(super::verify(Some(&a), "correct horse battery"));
        assert!(!super::verify(Some(&a), "wrong horse battery"));
        assert!(!super::verify(None, "agora dummy password for timing"));
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_runs_in_the_idle_scheduling_class() {
        // Field 41 of /proc/thread-self/stat is the thread's scheduling policy (5 is
        // SCHED_IDLE, 0 the normal one); fields are counted after the parenthesised name.
        fn policy() -> String {
            let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
            stat.rsplit(')').next().unwrap().split_whitespace().nth(38).unwrap().to_owned()
        }
        assert_eq!(super::on_hashing_threads(policy).await.unwrap(), "5");
        assert_eq!(policy(), "0");
    }
}
