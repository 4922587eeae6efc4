//! What the desk's finished walks taught the ranking, read again after a walk of this
//! console ended as one that teaches (the catalogue loader reads them at start): on a
//! thread with its own connection, so that the key that finished the walk never waits for
//! a desk of a million calls.

use super::Post;
use crate::domain::learned::Lessons;
use crate::store::{FileAccess, Location, Store};

/// Reads the lessons from the store at `location` and hands them to `post`. A store that
/// cannot be read now keeps the lessons the console has: they are a tie-breaker, read
/// again after the next walk.
pub fn spawn(location: Location, read_only: bool, post: Post<Box<Lessons>>) {
    std::thread::spawn(move || {
        let access = FileAccess {
            group: None,
            read_only,
        };
        let lessons = Store::open_location(&location, &access)
            .and_then(|store| store.lessons(chrono::Utc::now()));
        if let Ok(lessons) = lessons {
            post(Box::new(lessons));
        }
    });
}
