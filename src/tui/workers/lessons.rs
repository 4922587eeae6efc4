//! What the desk's finished walks taught the ranking, read again after a walk of this
//! console ended as one that teaches (the catalogue loader reads them at start): on a
//! thread with its own connection, so that the key that finished the walk never waits for
//! a desk of a million calls.

use super::Post;
use crate::domain::learned::Lessons;
use crate::store::{FileAccess, Location, Store};

/// Reads the lessons from the store at `location` and hands them to `post`, or why they
/// could not be read (the console then keeps those it has: they are a tie-breaker, read
/// again after the next walk).
pub fn spawn(location: Location, read_only: bool, post: Post<Result<Box<Lessons>, String>>) {
    super::spawn("guichet-lessons", super::Priority::GivesWay, move || {
        let access = FileAccess {
            group: None,
            read_only,
        };
        let lessons = Store::open_location(&location, &access)
            .and_then(|store| store.lessons(chrono::Utc::now()));
        post(lessons.map(Box::new).map_err(|e| e.to_string()));
    });
}
