//! A console on a `--catalog` folder follows its files by reading the files that changed
//! alone and updating their procedures in the index (issue 24). After every edit of a
//! series (keywords changed, a file added, one removed, one broken then fixed while
//! another changes, one renamed, a new file broken from its first version), the index the
//! loader hands over ranks every query as one built from scratch on the folder as it then
//! is (a file broken at its last good version), the desk's lessons applied; the store's
//! fingerprint then lets the next start take the index as it is. On both engines, through
//! the console's own loader, and with two consoles on one store.

use chrono::Utc;
use guichet::catalog::embedded_reference;
use guichet::catalog::procedures::{CatalogSource, EMBEDDED, load_dir};
use guichet::catalog::thesaurus;
use guichet::domain::learned::Lessons;
use guichet::store::{FileAccess, Location, ProcedureHit, ProcedureQuery, SearchIndex, Store};
use guichet::tui::workers::catalog::{CatalogLoad, Fresh, Rescan};
use std::path::{Path, PathBuf};

/// The procedure the desk's walks teach for « lecteur » (see `learned.rs`).
const TAUGHT: &str = "social-collab-spaces";

/// A console's loader and what it keeps between two loads, as the router keeps them.
struct Console {
    location: Location,
    folder: PathBuf,
    fresh: Fresh,
}

/// What the loader hands over for `rescan` (none: a start).
fn load(location: &Location, folder: &Path, rescan: Option<Rescan>) -> Fresh {
    let (tx, rx) = std::sync::mpsc::channel();
    CatalogLoad {
        location: location.clone(),
        read_only: false,
        source: CatalogSource::dir(folder, &embedded_reference()),
        changed: rescan,
        learning: true,
    }
    .spawn(Box::new(move |loaded| tx.send(loaded).is_ok()));
    match rx
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("the loader said nothing")
    {
        Ok(fresh) => fresh,
        Err((e, _)) => panic!("the loader failed: {e}"),
    }
}

impl Console {
    fn start(location: &Location, folder: &Path) -> Console {
        let fresh = load(location, folder, None);
        assert!(fresh.indexed.is_some(), "a writable store knows its folder");
        Console {
            location: location.clone(),
            folder: folder.to_path_buf(),
            fresh,
        }
    }

    /// The watch said these files changed: the loader reads them. The problems said.
    fn told(&mut self, changed: &[&str]) -> Vec<String> {
        let kept = self
            .fresh
            .reloaded
            .as_ref()
            .map(|r| r.kept.clone())
            .unwrap_or_default();
        let rescan = Rescan {
            changed: changed.iter().map(|s| s.to_string()).collect(),
            kept,
            indexed: self.fresh.indexed.take(),
            index: Some(self.fresh.library.index.clone()),
        };
        self.fresh = load(&self.location, &self.folder, Some(rescan));
        assert!(self.fresh.indexed.is_some());
        let reloaded = self.fresh.reloaded.as_ref().expect("a reload says so");
        reloaded
            .problems
            .iter()
            .map(|p| {
                format!(
                    "{}:{}",
                    guichet::tui::workers::catalog::file_name(&p.file),
                    p.line
                )
            })
            .collect()
    }

    fn kept(&self) -> Vec<String> {
        self.fresh
            .reloaded
            .as_ref()
            .map(|r| r.kept.clone())
            .unwrap_or_default()
    }

    fn index(&self) -> &SearchIndex {
        &self.fresh.library.index
    }
}

/// The index a console started on `folder` would search: made from scratch.
fn from_scratch(folder: &Path, lessons: &Lessons) -> SearchIndex {
    let mut store = Store::open_in_memory().unwrap();
    let source = CatalogSource::dir(folder, &embedded_reference());
    store.ensure_catalog(&source).unwrap();
    let mut index = store.load_search_index().unwrap();
    index.set_learned(lessons);
    index.set_thesaurus(thesaurus::load(Some(folder)).0);
    index
}

/// Every ranking the same: each word of the titles and keywords of `folder` (whole, its
/// first three letters, with the next word of its title), with no context, a service and
/// device, another service; the first three and all; and the list by title.
fn same_rankings(got: &SearchIndex, folder: &Path, lessons: &Lessons, step: &str) {
    let want = from_scratch(folder, lessons);
    let catalog = load_dir(folder, &embedded_reference()).unwrap();
    let mut queries: Vec<String> = vec!["lecteur".into(), "zorglub".into()];
    for p in &catalog.procedures {
        let words: Vec<String> = p
            .title
            .split(|c: char| !c.is_alphanumeric())
            .chain(p.keywords.iter().map(String::as_str))
            .filter(|w| w.chars().count() >= 3)
            .map(str::to_lowercase)
            .collect();
        for pair in words.windows(2) {
            queries.push(pair.join(" "));
        }
        for w in words {
            queries.push(w.chars().take(3).collect());
            queries.push(w);
        }
    }
    queries.sort();
    queries.dedup();
    let mut found = 0;
    for text in &queries {
        for (service, device) in [
            (None, None),
            (Some("mi"), Some("noemi")),
            (Some("acn-caen"), None),
        ] {
            for limit in [3, usize::MAX] {
                let q = ProcedureQuery {
                    text,
                    service,
                    device,
                    limit,
                };
                let hits = want.search(&q);
                same_hits(
                    &got.search(&q),
                    &hits,
                    &format!("{step}: {text:?} {service:?} {limit}"),
                );
                found += hits.len();
            }
        }
    }
    assert!(found > 1000, "{step}: {found} hits in all");
    assert_eq!(got.browse(None, None), want.browse(None, None), "{step}");
}

/// The same hits, in the same order, to the bit but for what the walks taught: read by
/// the loader a moment before, a walk weighed a little more (its weight halves every 30
/// days, counted in seconds), so the factor and the score are the same to a millionth.
fn same_hits(got: &[ProcedureHit], want: &[ProcedureHit], what: &str) {
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6;
    let same = got.len() == want.len()
        && got.iter().zip(want).all(|(g, w)| {
            let learned = match (&g.learned, &w.learned) {
                (None, None) => true,
                (Some(a), Some(b)) => {
                    a.word == b.word && a.walks == b.walks && close(a.factor, b.factor)
                }
                _ => false,
            };
            let plain = ProcedureHit {
                score: w.score,
                learned: w.learned.clone(),
                ..g.clone()
            };
            plain == *w && learned && close(g.score, w.score)
        });
    assert!(same, "{what}:\n{got:#?}\nwanted:\n{want:#?}");
}

/// The slugs `index` proposes first for `text`.
fn top(index: &SearchIndex, text: &str) -> Vec<String> {
    index
        .search(&ProcedureQuery {
            text,
            limit: 3,
            ..ProcedureQuery::default()
        })
        .into_iter()
        .map(|h| h.slug)
        .collect()
}

/// The folder a console watches and, beside it, the folder a rebuild must match: the same
/// files but a broken one at its last good version, and a file not yet told.
struct Folders {
    _dir: tempfile::TempDir,
    watched: PathBuf,
    expected: PathBuf,
}

impl Folders {
    fn new() -> Folders {
        let dir = tempfile::tempdir().unwrap();
        let (watched, expected) = (dir.path().join("watched"), dir.path().join("expected"));
        for d in [&watched, &expected] {
            std::fs::create_dir(d).unwrap();
            for (name, text) in EMBEDDED {
                std::fs::write(d.join(name), text).unwrap();
            }
        }
        Folders {
            _dir: dir,
            watched,
            expected,
        }
    }

    fn text(&self, name: &str) -> String {
        std::fs::read_to_string(self.watched.join(name)).unwrap()
    }

    /// Written in both.
    fn write(&self, name: &str, text: &str) {
        self.write_watched(name, text);
        std::fs::write(self.expected.join(name), text).unwrap();
    }

    /// Written in the watched folder only (broken: the previous version stays expected).
    fn write_watched(&self, name: &str, text: &str) {
        std::fs::write(self.watched.join(name), text).unwrap();
    }

    fn remove(&self, name: &str) {
        std::fs::remove_file(self.watched.join(name)).unwrap();
        std::fs::remove_file(self.expected.join(name)).unwrap();
    }
}

/// The store of `desk`, as the console's loader opens it.
fn location(desk: &crate::common::desk::Desk) -> Location {
    Location::resolve(Some(desk.location().as_os_str())).unwrap()
}

/// Walks finished on calls that said « lecteur ».
fn teach(desk: &crate::common::desk::Desk) {
    let mut store = desk.store();
    for _ in 0..3 {
        crate::learned::walked(
            &mut store,
            "lecteur réseau",
            TAUGHT,
            crate::learned::Ending::Finished,
        );
    }
    assert!(!taught_now(desk).is_empty());
}

/// What the walks teach now: read when a ranking is compared, as the loader read them a
/// moment before. Read once at the start instead, the lessons of a long test drift from the
/// loader's (a walk's weight halves every 30 days, counted in seconds: 80 s moved a factor
/// by 3e-6).
fn taught_now(desk: &crate::common::desk::Desk) -> Lessons {
    desk.store().lessons(Utc::now()).unwrap()
}

on_both_engines! {
    fn a_folder_followed_file_by_file_ranks_as_one_indexed_from_scratch(desk) {
        teach(&desk);
        let f = Folders::new();
        let at = location(&desk);
        let mut console = Console::start(&at, &f.watched);
        same_rankings(console.index(), &f.expected, &taught_now(&desk), "start");
        // The walks' boost, after every reload as at start.
        let boosted = |c: &Console| {
            c.index()
                .search(&ProcedureQuery { text: "lecteur", limit: 100, ..ProcedureQuery::default() })
                .into_iter()
                .any(|h| h.slug == TAUGHT && h.learned.is_some())
        };
        assert!(boosted(&console));

        // Keywords changed.
        let drives = "acn-network-drives.toml";
        let first = f.text(drives);
        // The first keyword, however the list is laid out.
        let zorglub = first.replacen("\"lecteur disparu\"", "\"zorglub\", \"lecteur disparu\"", 1);
        assert_ne!(zorglub, first);
        f.write(drives, &zorglub);
        assert!(console.told(&[drives]).is_empty());
        assert_eq!(top(console.index(), "zorglub"), ["acn-network-drives"]);
        same_rankings(console.index(), &f.expected, &taught_now(&desk), "keywords");

        // A file added; one removed.
        let tchap = f.text("tchap.toml");
        f.write("zz-nouvelle.toml", &tchap.replace("Tchap : s'inscrire", "Zorglub : s'inscrire"));
        f.remove("webconf-etat.toml");
        assert!(console.told(&["webconf-etat.toml", "zz-nouvelle.toml"]).is_empty());
        assert_eq!(top(console.index(), "zorglub")[0], "zz-nouvelle");
        same_rankings(console.index(), &f.expected, &taught_now(&desk), "added and removed");

        // Broken: its last good version stays, said; the store's fingerprint is not the
        // folder's own (a start indexes the folder as it is).
        f.write_watched(drives, &zorglub.replace("[[steps]]", "[[steps]"));
        let problems = console.told(&[drives]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with(drives), "{problems:?}");
        assert_eq!(console.kept(), [drives]);
        assert!(top(console.index(), "zorglub").contains(&"acn-network-drives".to_string()));
        same_rankings(console.index(), &f.expected, &taught_now(&desk), "broken");
        let own = CatalogSource::dir(&f.watched, &embedded_reference()).fingerprint().unwrap();
        assert_ne!(console.fresh.indexed.as_ref().unwrap().fingerprint, own);

        // Another file changed meanwhile: the broken one stays kept. One written without a
        // word from the watch is not read: the files told, alone.
        let shutdown = "acn-auto-shutdown.toml";
        f.write(shutdown, &f.text(shutdown).replace("title = \"", "title = \"Zorglub, "));
        f.write_watched("zz-untold.toml", &tchap.replace("Tchap : s'inscrire", "Zorglubette : s'inscrire"));
        assert!(console.told(&[shutdown]).is_empty());
        assert_eq!(console.kept(), [drives]);
        assert!(!top(console.index(), "zorglubette").contains(&"zz-untold".to_string()));
        same_rankings(console.index(), &f.expected, &taught_now(&desk), "kept while another changed");
        f.write("zz-untold.toml", &tchap.replace("Tchap : s'inscrire", "Zorglubette : s'inscrire"));
        assert!(console.told(&["zz-untold.toml"]).is_empty());
        assert_eq!(top(console.index(), "zorglubette")[0], "zz-untold");
        same_rankings(console.index(), &f.expected, &taught_now(&desk), "told later");

        // Fixed, with another title.
        f.write(drives, &zorglub.replace("title = \"Lecteurs réseau", "title = \"Disques réseau"));
        assert!(console.told(&[drives]).is_empty());
        assert!(console.kept().is_empty());
        same_rankings(console.index(), &f.expected, &taught_now(&desk), "fixed");

        // Renamed: the old slug gone, the new one there.
        let printers = f.text("acn-printers.toml");
        f.remove("acn-printers.toml");
        f.write("acn-imprimantes.toml", &printers);
        assert!(console.told(&["acn-imprimantes.toml", "acn-printers.toml"]).is_empty());
        let listed: Vec<String> = console
            .index()
            .browse(None, None)
            .into_iter()
            .map(|(s, _)| s.to_string())
            .collect();
        assert!(listed.iter().any(|s| s == "acn-imprimantes") && !listed.iter().any(|s| s == "acn-printers"));
        same_rankings(console.index(), &f.expected, &taught_now(&desk), "renamed");

        // A new file broken from its first version: left out, as a start leaves it.
        f.write("zz-brouillon.toml", "title = \"Zorglub brouillon\"\n");
        let problems = console.told(&["zz-brouillon.toml"]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(console.kept().is_empty());
        same_rankings(console.index(), &f.expected, &taught_now(&desk), "new and broken");
        assert!(boosted(&console));

        // The next start finds the index in line with the folder: nothing rebuilt.
        let source = CatalogSource::dir(&f.watched, &embedded_reference());
        assert_eq!(console.fresh.indexed.as_ref().unwrap().fingerprint, source.fingerprint().unwrap());
        let mut store = Store::open_location(&at, &FileAccess::default()).unwrap();
        assert_eq!(store.ensure_catalog(&source).unwrap(), None);
        let again = Console::start(&at, &f.watched);
        same_rankings(again.index(), &f.expected, &taught_now(&desk), "started again");
    }
}

on_both_engines! {
    fn two_consoles_on_one_store_follow_the_same_folder(desk) {
        let lessons = Lessons::default();
        let f = Folders::new();
        let at = location(&desk);
        let mut a = Console::start(&at, &f.watched);
        let mut b = Console::start(&at, &f.watched);

        // Both see the change: the first writes it, the second finds it written.
        let tchap = "tchap.toml";
        f.write(tchap, &f.text(tchap).replace("title = \"Tchap", "title = \"Zorglub Tchap"));
        assert!(a.told(&[tchap]).is_empty());
        assert!(b.told(&[tchap]).is_empty());
        for (console, name) in [(&a, "a"), (&b, "b")] {
            assert_eq!(top(console.index(), "zorglub"), ["tchap"], "{name}");
            same_rankings(console.index(), &f.expected, &lessons, name);
        }

        // One sees a change the other does not see yet: the other's next change is read
        // against an index it does not know, and the folder read whole.
        let drives = "acn-network-drives.toml";
        f.write(drives, &f.text(drives).replace("title = \"Lecteurs", "title = \"Zorglubs"));
        assert!(a.told(&[drives]).is_empty());
        let gip = "gip-tools.toml";
        f.write(gip, &f.text(gip).replace("title = \"", "title = \"Zorglub "));
        assert!(b.told(&[gip]).is_empty());
        same_rankings(b.index(), &f.expected, &lessons, "b read the folder whole");
        assert!(a.told(&[gip]).is_empty());
        same_rankings(a.index(), &f.expected, &lessons, "a after b's whole read");
        let source = CatalogSource::dir(&f.watched, &embedded_reference());
        let mut store = Store::open_location(&at, &FileAccess::default()).unwrap();
        assert_eq!(store.ensure_catalog(&source).unwrap(), None);
    }
}
