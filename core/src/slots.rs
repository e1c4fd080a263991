//! Per-user bounds on concurrent work: a user may have at most `max` questions
//! running at once on this instance; one more is refused at once (429) rather
//! than queued, so one account cannot hold the model, the database pools and the
//! blocking threads that everyone shares.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::ids::UserId;
use crate::Error;

/// Users' running slots.
#[derive(Debug)]
pub struct UserSlots {
    max: usize,
    by_user: Mutex<HashMap<UserId, Arc<Semaphore>>>,
}

/// A held slot; dropping it frees it.
#[derive(Debug)]
pub struct Slot {
    _permit: OwnedSemaphorePermit,
}

impl UserSlots {
    pub fn new(max: usize) -> Self {
        UserSlots { max: max.max(1), by_user: Mutex::new(HashMap::new()) }
    }

    /// Take one of `user`'s slots, or say why not.
    pub fn try_take(&self, user: UserId) -> crate::Result<Slot> {
        let semaphore = {
            let mut map = self.by_user.lock().unwrap_or_else(|e| e.into_inner());
            // Forget idle users now and then (their semaphores are full again).
            if map.len() > 4_096 {
                map.retain(|_, s| s.available_permits() < self.max);
            }
            map.entry(user).or_insert_with(|| Arc::new(Semaphore::new(self.max))).clone()
        };
        semaphore.try_acquire_owned().map(|permit| Slot { _permit: permit }).map_err(|_| {
            Error::TooMany(format!(
                "You already have {} question{} running; wait for an answer (or stop one) and ask again",
                self.max,
                if self.max == 1 { "" } else { "s" }
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_gets_max_slots_others_are_unaffected_and_a_freed_slot_is_reusable() {
        let slots = UserSlots::new(2);
        let (a, b) = (UserId(1), UserId(2));
        let first = slots.try_take(a).unwrap();
        let _second = slots.try_take(a).unwrap();
        let err = slots.try_take(a).unwrap_err();
        assert_eq!(err.status(), 429);
        assert_eq!(err.retry_after(), Some(2));
        assert!(err.to_string().starts_with("You already have 2 questions running"), "{err}");
        assert!(slots.try_take(b).is_ok(), "another user is not affected");
        drop(first);
        assert!(slots.try_take(a).is_ok(), "a freed slot is taken again");
    }

    #[test]
    fn idle_users_are_forgotten_when_the_map_grows() {
        let slots = UserSlots::new(1);
        let held = slots.try_take(UserId(0)).unwrap();
        for id in 1..=4_097 {
            drop(slots.try_take(UserId(id)).unwrap());
        }
        let _ = slots.try_take(UserId(5_000)).unwrap();
        let map = slots.by_user.lock().unwrap();
        assert!(map.len() < 10, "only users with running work are kept: {}", map.len());
        assert!(map.contains_key(&UserId(0)));
        drop(held);
    }
}
