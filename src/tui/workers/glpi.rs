//! The GLPI sender: a thread that sends what waits in the outbox (at start, when woken
//! because a push was queued, and every minute), on a connection of its own for each
//! round, and says what it did, in sentences for the status line. It ends with the
//! console.

use super::Post;
use crate::store::{FileAccess, Location, Store};
use std::sync::mpsc::{Receiver, Sender, channel};

/// A sentence for the status line, and whether it says a failure.
pub type Said = (String, bool);

/// Starts the sender on the store at `location`, which says what it did through `post`;
/// it is woken through the sender returned.
pub fn spawn(location: Location, settings: crate::glpi::Settings, post: Post<Said>) -> Sender<()> {
    let (wake, woken) = channel::<()>();
    super::spawn("guichet-glpi", super::Priority::Normal, move || {
        send(location, settings, woken, post)
    });
    wake
}

/// How often the GLPI sender looks at the outbox when nobody wakes it.
const GLPI_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// The console's GLPI sender: sends what waits (at start, when woken, every minute) on
/// its own connection, and says what it did; ends with the console.
fn send(
    location: Location,
    settings: crate::glpi::Settings,
    woken: Receiver<()>,
    report: Post<Said>,
) {
    use std::sync::mpsc::RecvTimeoutError;
    loop {
        // The next round: in a minute, or as soon as a push in doubt can be settled.
        let mut next = GLPI_EVERY;
        // A connection of its own for each round, given back after it: between rounds a
        // console holds one connection to the server, not two.
        let mut store = Store::open_location(&location, &FileAccess::default()).ok();
        if let Some(s) = store.as_mut() {
            match crate::glpi::sync(s, &settings, None) {
                Ok(done) => {
                    for sent in &done.sent {
                        let _ = report((sent.sentence(), false));
                    }
                    // GLPI down: said once (the failed push's reason is in it), then the
                    // pushes in doubt, the most telling, last on the status line.
                    match &done.unreachable {
                        Some(sentence) => {
                            let _ = report((sentence.clone(), true));
                        }
                        None => {
                            for (call, why) in &done.failed {
                                let _ = report((
                                    format!("{call} non envoyé à GLPI ({why}) : gardé en attente"),
                                    true,
                                ));
                            }
                        }
                    }
                    for doubt in &done.doubt {
                        let _ = report((doubt.sentence(), true));
                    }
                    if let Some(at) = done.next_check() {
                        // An edge: the sender's own wait, measured now.
                        #[allow(clippy::disallowed_methods)]
                        let left = (at - chrono::Utc::now()).to_std().unwrap_or_default();
                        next = next.min(left + std::time::Duration::from_millis(200));
                    }
                }
                Err(e) => {
                    let _ = report((format!("envoi à GLPI suspendu : {e}"), true));
                }
            }
        }
        drop(store);
        match woken.recv_timeout(next) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {
                // Several wakes at once: one sync sends them all.
                while woken.try_recv().is_ok() {}
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}
