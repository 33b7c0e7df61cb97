//! Figures kept between requests until the records they were drawn from change.
//!
//! Every change to governance data writes its audit row in the same transaction, so the trail's
//! head (the newest row's number and hash) moves whenever any record a figure could depend on does.
//! A figure computed after reading head H stays good for as long as the head is still H: one
//! indexed read answers whether a page's costly figures (the dashboard's readiness, live checks,
//! coverage and workforce) must be drawn again. The hash makes the head name one database's trail,
//! so two databases served by one process never share an entry, and every instance of a service
//! on one PostgreSQL database sees the same head, so none serves another's stale figures.
//!
//! Whatever the key holds besides the head must say everything else the figures depend on: the
//! provider, and the day (figures that count days change at midnight without a write).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use crate::db::DbConnection;

/// The newest audit row when a figure was drawn; `None` for an empty trail.
type Head = Option<(i32, String)>;

/// A bounded map from a key to the figures drawn for it and the trail's head they were drawn at.
pub struct TrailMemo<K, V> {
    entries: Mutex<HashMap<K, (Head, Arc<V>)>>,
    capacity: usize,
}

impl<K: Eq + Hash + Clone, V> TrailMemo<K, V> {
    /// A memo holding at most `capacity` keys; when full, a new key empties it first (figures are
    /// cheap to draw again, and a full memo means the keys have moved on, such as a new day).
    pub fn new(capacity: usize) -> Self {
        TrailMemo { entries: Mutex::new(HashMap::new()), capacity: capacity.max(1) }
    }

    /// The figures for `key`: kept ones if the trail has not moved since they were drawn, else
    /// drawn by `draw` now (outside the memo's lock, so a slow draw holds up no other key) and kept.
    pub fn get_or_draw<E>(
        &self,
        conn: &mut DbConnection,
        key: K,
        draw: impl FnOnce(&mut DbConnection) -> Result<V, E>,
    ) -> Result<Arc<V>, E>
    where
        E: From<diesel::result::Error>,
    {
        let head = super::store::head(conn)?;
        if let Some((kept_head, figures)) = self.lock().get(&key) {
            if *kept_head == head {
                return Ok(Arc::clone(figures));
            }
        }
        let figures = Arc::new(draw(conn)?);
        let mut entries = self.lock();
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (head, Arc::clone(&figures)));
        Ok(figures)
    }

    /// How many keys are held: for tests.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether nothing is held: for tests.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (Head, Arc<V>)>> {
        // A panic while the lock was held left at worst a missing entry: the map is still whole.
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
