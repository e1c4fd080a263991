//! Argon2id password hashing on a small pool of dedicated threads.
//!
//! Each hash needs 19 MiB. Run on tokio's blocking pool, a burst of logins
//! spawned one thread per login and glibc kept every freed 19 MiB block
//! resident in those threads' heaps (gigabytes after a few hundred concurrent
//! logins). Here a fixed number of threads (the number of cores) each reuse one
//! Argon2 memory buffer for every hash, a short queue absorbs bursts, and
//! beyond it the caller gets [`Error::Busy`] (503 with `Retry-After`) at once.
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, LazyLock, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

use crate::Error;

/// Jobs that may wait per hashing thread before callers are turned away (a
/// hash takes about 90 ms on one core here: at most ~1.5 s of waiting).
const QUEUE_PER_THREAD: usize = 16;

/// What a hashing thread is asked to do.
enum Job {
    Hash { password: String, reply: oneshot::Sender<crate::Result<String>> },
    Verify { password: String, stored: Option<String>, reply: oneshot::Sender<bool> },
}

/// The process's hashing threads and their queue.
struct Pool {
    jobs: SyncSender<Job>,
}

static POOL: LazyLock<Pool> = LazyLock::new(|| {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(1, 8);
    Pool::new(threads, threads * QUEUE_PER_THREAD)
});

impl Pool {
    /// `threads` hashing threads with room for `queue` waiting jobs.
    fn new(threads: usize, queue: usize) -> Pool {
        let (jobs, waiting) = sync_channel::<Job>(queue);
        let waiting = Arc::new(Mutex::new(waiting));
        for n in 0..threads {
            let waiting = waiting.clone();
            let spawned = std::thread::Builder::new().name(format!("argon2-{n}")).spawn(move || work(&waiting));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password hashing thread");
            }
        }
        Pool { jobs }
    }

    fn submit(&self, job: Job) -> crate::Result<()> {
        match self.jobs.try_send(job) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err(busy()),
            Err(TrySendError::Disconnected(_)) => Err(Error::Internal(anyhow::anyhow!("password hashing stopped"))),
        }
    }

    async fn hash(&self, password: String) -> crate::Result<String> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Hash { password, reply })?;
        answer.await.map_err(|_| Error::Internal(anyhow::anyhow!("password hashing stopped")))?
    }

    async fn verify(&self, password: String, stored: Option<String>) -> crate::Result<bool> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Verify { password, stored, reply })?;
        answer.await.map_err(|_| Error::Internal(anyhow::anyhow!("password hashing stopped")))
    }
}

/// Verified against when the email is unknown, so a miss costs as much as a hit
/// and response timing does not reveal which emails have accounts.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut memory = vec![Block::default(); Params::DEFAULT.block_count()];
    hash(b"dummy-password-for-timing", &mut memory).unwrap_or_default()
});

fn work(queue: &Mutex<Receiver<Job>>) {
    // The one Argon2 buffer of this thread, reused for every hash.
    let mut memory = vec![Block::default(); Params::DEFAULT.block_count()];
    loop {
        let job = match queue.lock() {
            Ok(q) => q.recv(),
            Err(_) => return,
        };
        match job {
            Ok(Job::Hash { password, reply }) => {
                let _ = reply.send(hash(password.as_bytes(), &mut memory));
            }
            Ok(Job::Verify { password, stored, reply }) => {
                let known = stored.is_some();
                let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
                let _ = reply.send(verify(password.as_bytes(), &stored, &mut memory) && known);
            }
            Err(_) => return,
        }
    }
}

/// Argon2id with the default parameters, as a PHC string.
fn hash(password: &[u8], memory: &mut [Block]) -> crate::Result<String> {
    let failed = |e: &dyn std::fmt::Display| Error::Internal(anyhow::anyhow!("hashing password: {e}"));
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(|e| failed(&e))?;
    let params = Params::DEFAULT;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon.hash_password_into_with_memory(password, salt_bytes, &mut out, &mut *memory).map_err(|e| failed(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored`, reusing `memory` when
/// the stored parameters fit it.
fn verify(password: &[u8], stored: &str, memory: &mut [Block]) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(parsed.algorithm), Params::try_from(&parsed)) else {
        return false;
    };
    let version = parsed.version.map(Version::try_from).transpose().ok().flatten().unwrap_or_default();
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else { return false };
    let argon = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    let computed = if params.block_count() <= memory.len() {
        argon.hash_password_into_with_memory(password, salt, &mut out, &mut memory[..params.block_count()])
    } else {
        argon.hash_password_into(password, salt, &mut out)
    };
    // `Output` compares in constant time.
    computed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
}

fn busy() -> Error {
    Error::Busy("Too many sign-ins at once; please try again in a moment".into())
}

/// Hash a password with Argon2id (default parameters).
pub async fn hash_password(password: String) -> crate::Result<String> {
    POOL.hash(password).await
}

/// Check a password against a stored hash, or against a dummy hash when there
/// is none (the result is then always false).
pub async fn verify_password(password: String, stored: Option<String>) -> crate::Result<bool> {
    POOL.verify(password, stored).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let h = hash_password("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("correct horse".into(), Some(h.clone())).await.unwrap());
        assert!(!verify_password("wrong horse".into(), Some(h)).await.unwrap());
        assert!(!verify_password("dummy-password-for-timing".into(), None).await.unwrap());
    }

    #[tokio::test]
    async fn hashes_from_the_library_defaults_still_verify() {
        use argon2::password_hash::PasswordHasher;
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default().hash_password(b"pw", &salt).unwrap().to_string();
        assert!(verify_password("pw".into(), Some(theirs.clone())).await.unwrap());
        assert!(!verify_password("nope".into(), Some(theirs)).await.unwrap());
        assert!(!verify_password("pw".into(), Some("not a hash".into())).await.unwrap());
    }

    #[tokio::test]
    async fn a_burst_beyond_the_queue_is_turned_away_at_once_not_queued_forever() {
        // A pool of its own, so the other tests' hashes are not turned away.
        let pool = Pool::new(1, 4);
        let burst: Vec<_> = (0..200).map(|i| pool.hash(format!("pw{i}"))).collect();
        let results = futures_util::future::join_all(burst).await;
        let busy = results.iter().filter(|r| matches!(r, Err(Error::Busy(_)))).count();
        let done = results.iter().filter(|r| r.is_ok()).count();
        assert!(busy > 0 && done > 0, "busy {busy}, done {done}");
        assert_eq!(busy + done, 200);
    }
}
