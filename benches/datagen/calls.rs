//! A call history: two years of calls, more on weekdays and office hours (Europe/Paris),
//! callers who call again, summaries in the words of the procedures, a journal per call.
//! Written with rusqlite in one transaction, following db/migrations/0001_calls.sql.

use super::names::{FIRST_NAMES, OPERATORS, SURNAMES};
use super::rng::{Rng, Weighted};
use chrono::{Datelike, NaiveDate, TimeZone, Weekday};
use chrono_tz::Europe::Paris;
use guichet::domain::procedure::Procedure;
use guichet::domain::reference::Reference;
use guichet::domain::text::{digits, fold};
use rusqlite::{Connection, params};
use std::path::Path;

const OUTCOMES: &[(&str, f64)] = &[
    ("resolved", 70.0),
    ("escalated", 12.0),
    ("callback", 8.0),
    ("transferred", 6.0),
    ("abandoned", 4.0),
];

const SINCE: &[&str] = &[
    " depuis ce matin",
    " depuis hier",
    " depuis la mise à jour",
    " après redémarrage",
    " depuis lundi",
    " en télétravail",
    " au bureau",
    " - urgent",
    " (rappel)",
];

const CANNOT: &[&str] = &[
    "ne peut plus se connecter",
    "n'arrive pas à imprimer",
    "ne peut pas ouvrir sa session",
    "impossible de lancer le VPN",
    "n'accède plus à sa messagerie",
    "ne trouve plus ses fichiers",
    "ne reçoit plus les appels",
    "ne peut pas rejoindre la réunion",
    "écran noir au démarrage",
    "demande comment installer",
];

const NOTES: &[&str] = &[
    "a redémarré le poste, même problème",
    "l'agent rappellera après sa réunion",
    "poste en 4G, connexion très lente",
    "message d'erreur lu par l'agent",
    "agent en télétravail, pas de câble réseau",
    "problème déjà signalé la semaine dernière",
    "vérifié avec l'agent : voyant du VPN bleu",
    "la carte agent est restée au bureau",
    "l'agent n'a pas son code PIN",
    "transmis au support local",
    "collègue du même service touché",
    "mot de passe changé ce matin",
];

const CLOSING_NOTES: &[&str] = &[
    "résolu après redémarrage",
    "l'agent a pu se connecter",
    "escaladé au 2e niveau",
    "pas de réponse au rappel",
    "procédure suivie jusqu'au bout, OK",
    "ticket ouvert chez le prestataire",
    "rappel prévu demain matin",
    "l'agent rappellera si le problème revient",
    "transféré à l'équipe réseau",
];

const EMAIL_DOMAINS: &[(&str, &str)] = &[
    ("mi", "interieur.gouv.fr"),
    ("social-direccte", "direccte.gouv.fr"),
    ("social-drdjscs", "jscs.gouv.fr"),
    ("mtes", "developpement-durable.gouv.fr"),
    ("acn-caen", "ac-caen.fr"),
    ("acn-rouen", "ac-rouen.fr"),
    ("gip-tn", "gip-tn.fr"),
];

/// A caller of the desk: most calls come from people who called before.
struct Agent {
    name: String,
    phone: Option<String>,
    email: Option<String>,
    service: usize,
    device: usize,
}

fn phone(rng: &mut Rng) -> String {
    let mobile = rng.chance(0.4);
    let first = if mobile {
        *rng.pick(&["6", "7"])
    } else {
        *rng.pick(&["1", "2", "3", "4", "5", "9"])
    };
    let pairs: Vec<String> = (0..4).map(|_| format!("{:02}", rng.below(100))).collect();
    match rng.below(10) {
        0..=5 => format!("0{first} {}", pairs.join(" ")),
        6 => format!("0{first}.{}", pairs.join(".")),
        7 => format!("+33 {first} {}", pairs.join(" ")),
        _ => format!("0{first}{}", pairs.concat()),
    }
}

fn email_part(text: &str) -> String {
    fold(text)
        .chars()
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

struct Generator<'a> {
    services: Vec<&'a str>,
    devices: Vec<&'a str>,
    /// Per real procedure: its keywords, its title's first part, its step texts.
    topics: Vec<(&'a Procedure, &'a str)>,
    topic_weights: Weighted,
    operator_weights: Weighted,
    outcome_weights: Weighted,
    service_weights: Weighted,
    device_weights: Weighted,
}

impl Generator<'_> {
    fn summary(&self, rng: &mut Rng, service: &str) -> String {
        // Most calls are about a procedure that fits the caller's service.
        let mut topic = &self.topics[self.topic_weights.sample(rng)];
        for _ in 0..3 {
            if topic.0.services.includes(service) {
                break;
            }
            topic = &self.topics[self.topic_weights.sample(rng)];
        }
        let (p, head) = topic;
        let kw = |rng: &mut Rng| -> String {
            if p.keywords.is_empty() {
                head.to_string()
            } else {
                rng.pick(&p.keywords).clone()
            }
        };
        let text = match rng.below(20) {
            0..=5 => kw(rng),
            6..=8 => format!("{}{}", kw(rng), rng.pick(SINCE)),
            9..=11 => format!("{} / {}", kw(rng), kw(rng)),
            12..=14 => head.to_string(),
            15..=16 => format!("{} ({})", rng.pick(CANNOT), kw(rng)),
            17 => format!("rappel : {}", kw(rng)),
            _ => {
                let step = rng.pick(&p.steps);
                step.text
                    .split(['.', '?', ':'])
                    .next()
                    .unwrap_or(head)
                    .trim()
                    .to_string()
            }
        };
        // Operators typing fast drop accents and capitals half the time.
        let text = if rng.chance(0.5) { fold(&text) } else { text };
        if text.trim().is_empty() {
            head.to_string()
        } else {
            text
        }
    }

    fn agent(&self, rng: &mut Rng, first_names: &Weighted, surnames: &Weighted) -> Agent {
        let first = FIRST_NAMES[first_names.sample(rng)];
        let last = SURNAMES[surnames.sample(rng)];
        let name = match rng.below(20) {
            0..=15 => format!("{first} {last}"),
            16..=17 => format!("{} {first}", last.to_uppercase()),
            18 => format!("Mme {last}"),
            _ => format!("M. {last}"),
        };
        let service = self.service_weights.sample(rng);
        let mut device = self.device_weights.sample(rng);
        // NOEMI and SPAN are the Interior ministry's.
        if self.services[service] != "mi" && matches!(self.devices[device], "noemi" | "span") {
            device = self
                .devices
                .iter()
                .position(|d| *d == "pc-pro")
                .unwrap_or(0);
        }
        let domain = EMAIL_DOMAINS
            .iter()
            .find(|(s, _)| *s == self.services[service])
            .map_or("gouv.fr", |(_, d)| d);
        Agent {
            phone: rng.chance(0.85).then(|| phone(rng)),
            email: rng
                .chance(0.35)
                .then(|| format!("{}.{}@{domain}", email_part(first), email_part(last))),
            name,
            service,
            device,
        }
    }
}

/// Weight of a day: weekdays, a quiet weekend, public holidays, summer and Christmas.
fn day_weight(day: NaiveDate) -> f64 {
    const HOLIDAYS: &[(i32, u32, u32)] = &[
        (2025, 1, 1),
        (2025, 4, 21),
        (2025, 5, 1),
        (2025, 5, 8),
        (2025, 5, 29),
        (2025, 6, 9),
        (2025, 7, 14),
        (2025, 8, 15),
        (2025, 11, 1),
        (2025, 11, 11),
        (2025, 12, 25),
        (2026, 1, 1),
        (2026, 4, 6),
        (2026, 5, 1),
        (2026, 5, 8),
        (2026, 5, 14),
        (2026, 5, 25),
        (2026, 7, 14),
        (2026, 8, 15),
        (2026, 11, 1),
        (2026, 11, 11),
        (2026, 12, 25),
    ];
    if HOLIDAYS.contains(&(day.year(), day.month(), day.day())) {
        return 0.03;
    }
    let mut w = match day.weekday() {
        Weekday::Mon => 1.2,
        Weekday::Tue => 1.05,
        Weekday::Wed => 0.95,
        Weekday::Thu => 1.0,
        Weekday::Fri => 0.85,
        Weekday::Sat => 0.05,
        Weekday::Sun => 0.02,
    };
    if day.month() == 8 {
        w *= 0.55;
    }
    if day.month() == 12 && day.day() >= 22 {
        w *= 0.5;
    }
    if day.month() == 9 && day.day() <= 15 {
        w *= 1.4; // la rentrée
    }
    // The desk grows: a third more calls at the end than at the start.
    w * (1.0
        + 0.33 * f64::from(day.ordinal0()) / 365.0
        + if day.year() == 2026 { 0.33 } else { 0.0 })
}

/// Weight of each local hour: the desk opens 8h–18h, with morning and afternoon peaks.
const HOUR_WEIGHTS: [f64; 24] = [
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.01, 0.25, 1.0, 1.6, 1.7, 1.4, 0.7, 0.8, 1.5, 1.5, 1.3, 0.9,
    0.25, 0.07, 0.02, 0.005, 0.0, 0.0,
];

pub struct Generated {
    pub calls: usize,
    pub journal: usize,
}

/// Writes `n` calls and their journal into the (empty, migrated) database at `path`.
pub fn generate(
    path: &Path,
    n: usize,
    real: &[Procedure],
    reference: &Reference,
    seed: u64,
) -> rusqlite::Result<Generated> {
    let mut rng = Rng::new(seed);
    let mut topic_rng = rng.fork(1);
    let mut ranks: Vec<usize> = (0..real.len()).collect();
    topic_rng.shuffle(&mut ranks);
    let generator = Generator {
        services: reference.services.iter().map(|s| s.slug.as_str()).collect(),
        devices: reference.devices.iter().map(|d| d.slug.as_str()).collect(),
        topics: real
            .iter()
            .map(|p| (p, p.title.split(" : ").next().unwrap_or(&p.title)))
            .collect(),
        topic_weights: Weighted::new(ranks.iter().map(|r| 1.0 / ((r + 1) as f64).powf(1.0))),
        operator_weights: Weighted::zipf(OPERATORS.len(), 0.6),
        outcome_weights: Weighted::new(OUTCOMES.iter().map(|(_, w)| *w)),
        service_weights: Weighted::new(
            reference
                .services
                .iter()
                .map(|s| super::service_weight(&s.slug)),
        ),
        device_weights: Weighted::new(
            reference
                .devices
                .iter()
                .map(|d| super::device_weight(&d.slug)),
        ),
    };

    // Callers: about one for eight calls, some calling very often.
    let mut agent_rng = rng.fork(2);
    let first_names = Weighted::zipf(FIRST_NAMES.len(), 0.8);
    let surnames = Weighted::zipf(SURNAMES.len(), 0.9);
    let agents: Vec<Agent> = (0..(n / 8).max(50))
        .map(|_| generator.agent(&mut agent_rng, &first_names, &surnames))
        .collect();
    let agent_weights = Weighted::zipf(agents.len(), 0.75);

    // Opening times, sorted so that references grow with time as on a real desk.
    let mut time_rng = rng.fork(3);
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid date");
    let end = NaiveDate::from_ymd_opt(2026, 12, 31).expect("valid date");
    let days: Vec<NaiveDate> = start.iter_days().take_while(|d| *d <= end).collect();
    let day_weights = Weighted::new(days.iter().map(|d| day_weight(*d)));
    let hour_weights = Weighted::new(HOUR_WEIGHTS);
    let mut opened: Vec<i64> = (0..n)
        .map(|_| {
            let day = days[day_weights.sample(&mut time_rng)];
            let hour = hour_weights.sample(&mut time_rng) as u32;
            let local = day
                .and_hms_opt(hour, time_rng.below(60) as u32, time_rng.below(60) as u32)
                .expect("valid time");
            Paris
                .from_local_datetime(&local)
                .earliest()
                .map_or_else(|| local.and_utc().timestamp(), |t| t.timestamp())
        })
        .collect();
    opened.sort_unstable();

    let mut conn = Connection::open(path)?;
    // A throw-away file being filled once: no rollback journal, no fsync, a big cache.
    conn.execute_batch(
        "PRAGMA journal_mode = OFF;
         PRAGMA synchronous = OFF;
         PRAGMA cache_size = -400000;",
    )?;
    let tx = conn.transaction()?;
    let mut journal = 0usize;
    {
        let mut insert_call = tx.prepare(
            "INSERT INTO calls (id, opened_at, closed_at, operator, caller_name, caller_phone, \
             caller_email, service, device, summary, status, outcome, search_key) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        let mut insert_entry = tx.prepare(
            "INSERT INTO journal (call_id, at, operator, kind, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut entry = |call: i64, at: i64, operator: &str, kind: &str, body: &str| {
            journal += 1;
            insert_entry
                .execute(params![call, at, operator, kind, body])
                .map(|_| ())
        };
        for (i, &at) in opened.iter().enumerate() {
            let id = i as i64 + 1;
            let agent = &agents[agent_weights.sample(&mut rng)];
            let service = generator.services[agent.service];
            let device = if rng.chance(0.8) {
                generator.devices[agent.device]
            } else {
                *rng.pick(&generator.devices)
            };
            let operator = OPERATORS[generator.operator_weights.sample(&mut rng)];
            let summary = generator.summary(&mut rng, service);
            let closed = rng.chance(0.85);
            let outcome = closed.then(|| OUTCOMES[generator.outcome_weights.sample(&mut rng)].0);
            // Calls last a few minutes (log-normal, median about 6 min); callbacks are
            // closed hours later.
            let minutes = (1.8 + 0.7 * rng.normal()).exp().clamp(0.5, 120.0);
            let mut length = (minutes * 60.0) as i64;
            if outcome == Some("callback") {
                length += 3600 * rng.range(1, 30) as i64;
            }
            let closed_at = closed.then_some(at + length);
            let search_key = format!(
                "{}\u{1f}{}",
                fold(&agent.name),
                agent.phone.as_deref().map(digits).unwrap_or_default()
            );
            insert_call.execute(params![
                id,
                at,
                closed_at,
                operator,
                agent.name,
                agent.phone,
                agent.email,
                service,
                device,
                summary,
                if closed { "closed" } else { "open" },
                outcome,
                search_key,
            ])?;
            entry(id, at, operator, "opened", &summary)?;
            if rng.chance(0.35) {
                let note_at = at + (rng.unit() * length as f64 * 0.8) as i64;
                let note = *rng.pick(NOTES);
                entry(id, note_at, operator, "note", note)?;
            }
            if let (Some(closed_at), Some(outcome)) = (closed_at, outcome) {
                let closer = if rng.chance(0.1) {
                    OPERATORS[generator.operator_weights.sample(&mut rng)]
                } else {
                    operator
                };
                if rng.chance(0.4) {
                    let note = *rng.pick(CLOSING_NOTES);
                    entry(id, closed_at, closer, "note", note)?;
                }
                entry(id, closed_at, closer, "outcome", outcome)?;
                entry(id, closed_at, closer, "status", "closed")?;
            }
        }
    }
    // Later migrations (0005_handler) give calls a handler, the operator who opened them
    // until someone takes over: fill it as that migration does for existing rows.
    let has_handler: bool = tx.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('calls') WHERE name = 'handler'",
        [],
        |r| r.get(0),
    )?;
    if has_handler {
        tx.execute(
            "UPDATE calls SET handler = operator WHERE handler IS NULL",
            [],
        )?;
    }
    tx.commit()?;
    Ok(Generated { calls: n, journal })
}
