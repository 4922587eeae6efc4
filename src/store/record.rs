//! The record's rules after the fact: what `db check` says of rows the server (or on
//! SQLite the file's triggers) would refuse today, named by reference, and the guards a
//! copy lifts to bring a desk's history as it was written. The rules themselves are the
//! triggers of migrations 0017 (SQLite) and 0006 (PostgreSQL); this module reads the data
//! by the same rules, with the same tolerance.

use super::conn::{Db, Tx};
use super::db::{DbResult, Engine, args};
use super::{Result, Store};
use crate::domain::call::{CallRef, Outcome};
use crate::domain::time::{from_unix, paris};

/// How far a time may stray from the clock, or from the time before it, in seconds: two
/// machines' clocks, a clock that steps back. The migrations' triggers say it in their SQL.
const CLOCK_TOLERANCE: i64 = 300;

/// How many rows of one kind `db check` names; the others are counted.
const NAMED: usize = 20;

/// The triggers of SQLite that keep the record, by migration: append-only history, what
/// a call was, the times of the journal and of calls. A file's owner can drop them; `db
/// check` says which one is missing.
const SQLITE_GUARDS: [&str; 26] = [
    "calls_no_delete",
    "journal_no_update",
    "journal_no_delete",
    "handover_no_update",
    "handover_no_delete",
    "phone_events_no_update",
    "phone_events_no_delete",
    "calls_keep_record",
    "journal_not_ahead",
    "journal_after_opening",
    "journal_in_order",
    "calls_opened_in_time",
    "calls_closed_in_time",
    "calls_close_in_time",
    "call_proposals_no_update",
    "call_proposals_no_delete",
    "walks_no_update",
    "walks_no_delete",
    "walk_steps_no_update",
    "walk_steps_no_delete",
    "walk_ends_no_update",
    "walk_ends_no_delete",
    "walk_answers_no_update",
    "walk_answers_no_delete",
    "step_flags_no_update",
    "step_flags_no_delete",
];

/// The guards a copy lifts, on each engine, and puts back before it commits: it inserts
/// lines dated and signed where they were written, and calls whose lines come after them.
/// With them, the triggers that keep the report's totals, the callers' next calls, the
/// holes and the walks' facts: the copy counts them once, after the rows
/// (`walk_records::count_totals`, `report_totals`), rather than row by row.
const SQLITE_LIFTED: [&str; 17] = [
    "journal_not_ahead",
    "journal_after_opening",
    "journal_in_order",
    "calls_opened_in_time",
    "calls_closed_in_time",
    "call_proposals_total",
    "walk_steps_total",
    "calls_return",
    "calls_hole_written",
    "calls_hole_closed",
    "walks_fill_hole",
    "walks_fact",
    "walk_ends_fact",
    "walk_answers_fact",
    "call_returns_fact",
    "call_returns_fact_changed",
    "calls_fact",
];
const POSTGRES_LIFTED: [(&str, &str); 13] = [
    ("journal", "journal_by_the_server"),
    ("calls", "calls_in_time"),
    ("calls", "calls_journaled"),
    ("call_proposals", "call_proposals_total"),
    ("walk_steps", "walk_steps_total"),
    ("calls", "calls_return"),
    ("calls", "calls_hole"),
    ("walks", "walks_fill_hole"),
    ("walks", "walks_fact"),
    ("walk_ends", "walk_ends_fact"),
    ("walk_answers", "walk_answers_fact"),
    ("call_returns", "call_returns_fact"),
    ("calls", "calls_fact"),
];

/// What a copy lifted, to put back.
pub(super) struct Lifted {
    /// SQLite: each trigger's name and its `CREATE TRIGGER` as the file held it.
    sqlite: Vec<(String, String)>,
}

/// Lifts the record's guards for the transaction `tx` of a copy into an empty store: the
/// lines keep their times, operators and roles, the calls their times.
/// On PostgreSQL only the tables' owner may (`ALTER TABLE`), and nothing is visible to
/// anyone before the copy commits with the guards back.
pub(super) fn lift_guards(tx: &Tx<'_>) -> DbResult<Lifted> {
    match tx.engine() {
        Engine::Sqlite => {
            let mut lifted = Vec::new();
            for name in SQLITE_LIFTED {
                if let Some(sql) = tx.query_one(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                    args![name],
                    |r| r.get::<String>(0),
                )? {
                    tx.batch(&format!("DROP TRIGGER {name}"))?;
                    lifted.push((name.to_string(), sql));
                }
            }
            Ok(Lifted { sqlite: lifted })
        }
        Engine::Postgres => {
            for (table, trigger) in POSTGRES_LIFTED {
                tx.batch(&format!("ALTER TABLE {table} DISABLE TRIGGER {trigger}"))?;
            }
            Ok(Lifted { sqlite: Vec::new() })
        }
    }
}

/// Puts back what [`lift_guards`] lifted, in the same transaction.
pub(super) fn restore_guards(tx: &Tx<'_>, lifted: Lifted) -> DbResult<()> {
    match tx.engine() {
        Engine::Sqlite => {
            for (_, sql) in lifted.sqlite {
                tx.batch(&sql)?;
            }
        }
        Engine::Postgres => {
            for (table, trigger) in POSTGRES_LIFTED {
                tx.batch(&format!("ALTER TABLE {table} ENABLE TRIGGER {trigger}"))?;
            }
        }
    }
    Ok(())
}

/// On a server that a copy fills, from which journal line on the server signed every line:
/// the source server's own boundary, or after every line copied from SQLite (which knows no
/// role). Inside the copy's transaction `tx`; nothing to do into SQLite.
pub(super) fn carry_journal_from(source: &Db, tx: &Tx<'_>) -> DbResult<()> {
    if tx.engine() != Engine::Postgres {
        return Ok(());
    }
    let from: i64 = match source.engine() {
        Engine::Postgres => {
            source.query_one("SELECT journal_from FROM record_rules", &[], |r| r.get(0))?
        }
        Engine::Sqlite => {
            source.query_one("SELECT coalesce(max(id), 0) + 1 FROM journal", &[], |r| {
                r.get(0)
            })?
        }
    }
    .unwrap_or(1);
    tx.execute("UPDATE record_rules SET journal_from = ?1", args![from])
        .map(|_| ())
}

/// A rule of the record, as `db check` reads it: the query of the rows it refuses (call,
/// journal line or none, then what the sentence needs) and the sentence for one row.
struct Rule {
    sql: String,
    /// The sentence for one row, from its values (see `Found`).
    says: fn(&Found, &str) -> String,
    /// The sentence for the rows past those named: « et N autres … ».
    others: &'static str,
}

/// One row a rule refuses: its call, its journal line (if a line), two times and two
/// texts (names, outcomes) as the rule reads them.
struct Found {
    call: CallRef,
    line: Option<i64>,
    at: i64,
    then: i64,
    text: String,
    other: String,
}

fn when(secs: i64) -> String {
    paris(from_unix(secs), "%d/%m/%Y à %H:%M:%S")
}

fn line(f: &Found) -> String {
    format!(
        "appel {} : la ligne n° {} du journal",
        f.call,
        f.line.unwrap_or_default()
    )
}

/// The rules, for `engine`, whose clock is `clock` in the sentences.
fn rules(engine: Engine) -> Vec<Rule> {
    let now = match engine {
        Engine::Sqlite => "unixepoch('now')",
        Engine::Postgres => "guichet_now()",
    };
    let t = CLOCK_TOLERANCE;
    let mut rules = vec![
        Rule {
            sql: format!(
                "SELECT call_id, id, at, 0, '', '' FROM journal WHERE at > {now} + {t} ORDER BY id"
            ),
            says: |f, clock| {
                format!(
                    "{} est datée du {}, dans le futur de l'horloge {clock}",
                    line(f),
                    when(f.at)
                )
            },
            others: "lignes du journal datées dans le futur",
        },
        Rule {
            sql: format!(
                "SELECT j.call_id, j.id, j.at, c.opened_at, '', '' FROM journal j \
                 JOIN calls c ON c.id = j.call_id WHERE j.at < c.opened_at - {t} ORDER BY j.id"
            ),
            says: |f, _| {
                format!(
                    "{} est datée du {}, avant l'ouverture de l'appel (le {})",
                    line(f),
                    when(f.at),
                    when(f.then)
                )
            },
            others: "lignes du journal datées d'avant l'ouverture de leur appel",
        },
        Rule {
            sql: format!(
                "SELECT call_id, id, at, before, '', '' FROM \
                 (SELECT call_id, id, at, max(at) OVER (PARTITION BY call_id ORDER BY id \
                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before FROM journal) w \
                 WHERE at < before - {t} ORDER BY id"
            ),
            says: |f, _| {
                format!(
                    "{} est datée du {}, avant une ligne qui la précède (du {})",
                    line(f),
                    when(f.at),
                    when(f.then)
                )
            },
            others: "lignes du journal datées d'avant une ligne qui les précède",
        },
        Rule {
            sql: format!(
                "SELECT id, CAST(NULL AS BIGINT), opened_at, 0, '', '' FROM calls WHERE opened_at > {now} + {t} \
                 ORDER BY id"
            ),
            says: |f, clock| {
                format!(
                    "appel {} : ouvert le {}, dans le futur de l'horloge {clock}",
                    f.call,
                    when(f.at)
                )
            },
            others: "appels ouverts dans le futur",
        },
        Rule {
            sql: format!(
                "SELECT id, CAST(NULL AS BIGINT), closed_at, opened_at, '', '' FROM calls \
                 WHERE closed_at < opened_at - {t} ORDER BY id"
            ),
            says: |f, _| {
                format!(
                    "appel {} : clos le {}, avant d'avoir été ouvert (le {})",
                    f.call,
                    when(f.at),
                    when(f.then)
                )
            },
            others: "appels clos avant d'avoir été ouverts",
        },
        Rule {
            sql: format!(
                "SELECT id, CAST(NULL AS BIGINT), closed_at, 0, '', '' FROM calls WHERE closed_at > {now} + {t} \
                 ORDER BY id"
            ),
            says: |f, clock| {
                format!(
                    "appel {} : clos le {}, dans le futur de l'horloge {clock}",
                    f.call,
                    when(f.at)
                )
            },
            others: "appels clos dans le futur",
        },
        Rule {
            sql: "SELECT c.id, CAST(NULL AS BIGINT), 0, 0, '', '' FROM calls c WHERE NOT EXISTS \
                  (SELECT 1 FROM journal j WHERE j.call_id = c.id AND j.kind = 'opened') \
                  ORDER BY c.id"
                .into(),
            says: |f, _| format!("appel {} : aucune ligne d'ouverture au journal", f.call),
            others: "appels sans ligne d'ouverture au journal",
        },
        Rule {
            sql: "SELECT c.id, CAST(NULL AS BIGINT), 0, 0, '', '' FROM calls c WHERE c.status = 'closed' \
                  AND NOT EXISTS (SELECT 1 FROM journal j WHERE j.call_id = c.id \
                  AND j.kind = 'status' AND j.body = 'closed') ORDER BY c.id"
                .into(),
            says: |f, _| format!("appel {} : clos sans ligne de clôture au journal", f.call),
            others: "appels clos sans ligne de clôture au journal",
        },
        Rule {
            // The outcome the journal records last (an outcome or its correction), which
            // the call's column holds when every change went through the journal.
            sql: "SELECT id, CAST(NULL AS BIGINT), 0, 0, coalesce(outcome, ''), \
                  coalesce(said, '') FROM (SELECT c.id, c.outcome, \
                  (SELECT j.body FROM journal j WHERE j.call_id = c.id \
                   AND j.kind IN ('outcome', 'outcome_corrected') \
                   AND j.body IN ('resolved', 'escalated', 'callback', 'transferred', 'abandoned') \
                   ORDER BY j.id DESC LIMIT 1) AS said FROM calls c) x \
                  WHERE coalesce(outcome, '') <> coalesce(said, '') ORDER BY id"
                .into(),
            says: |f, _| {
                let label = |slug: &str| {
                    Outcome::from_slug(slug).map_or_else(|| "aucune".to_string(), |o| o.label().to_string())
                };
                format!(
                    "appel {} : son issue ({}) n'est pas celle que dit son journal ({})",
                    f.call,
                    label(&f.text),
                    label(&f.other)
                )
            },
            others: "appels dont l'issue n'est pas celle du journal",
        },
    ];
    if engine == Engine::Postgres {
        rules.push(Rule {
            sql: "SELECT call_id, id, 0, 0, '', '' FROM journal WHERE session_role IS NULL \
                  AND id >= (SELECT journal_from FROM record_rules) ORDER BY id"
                .into(),
            says: |f, _| {
                format!(
                    "{} n'a pas le rôle de session que le serveur inscrit sur chaque ligne",
                    line(f)
                )
            },
            others: "lignes du journal sans rôle de session",
        });
        rules.push(Rule {
            sql: "SELECT j.call_id, j.id, 0, 0, j.operator, j.session_role FROM journal j \
                  JOIN pg_roles r ON r.rolname = j.operator AND r.rolcanlogin \
                  WHERE j.session_role IS NOT NULL AND j.session_role <> j.operator \
                  ORDER BY j.id"
                .into(),
            says: |f, _| {
                format!(
                    "{} est au nom de « {} », qui a son rôle de connexion, mais a été écrite \
                     par le rôle « {} »",
                    line(f),
                    f.text,
                    f.other
                )
            },
            others: "lignes du journal au nom d'un autre rôle",
        });
    }
    rules
}

impl Store {
    /// The rows the record's rules would refuse now, one sentence each (the first
    /// [`NAMED`] of each rule, then how many more), and on SQLite the guards missing.
    pub(super) fn check_record(&self) -> Result<Vec<String>> {
        let engine = self.engine();
        let clock = match engine {
            Engine::Sqlite => "de cette machine",
            Engine::Postgres => "du serveur",
        };
        let mut problems = Vec::new();
        if engine == Engine::Sqlite {
            let present: Vec<String> = self
                .db
                .query_vec(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'",
                    &[],
                    |r| r.get(0),
                )
                .map_err(|e| self.err(e))?;
            for name in SQLITE_GUARDS {
                if !present.iter().any(|p| p == name) {
                    problems.push(format!("déclencheur {name} absent"));
                }
            }
        }
        for rule in rules(engine) {
            let mut count = 0usize;
            self.db
                .query_each(&rule.sql, &[], |r| {
                    count += 1;
                    if count <= NAMED {
                        let found = Found {
                            call: CallRef(r.get(0)?),
                            line: r.get(1)?,
                            at: r.get::<Option<i64>>(2)?.unwrap_or_default(),
                            then: r.get::<Option<i64>>(3)?.unwrap_or_default(),
                            text: r.get::<Option<String>>(4)?.unwrap_or_default(),
                            other: r.get::<Option<String>>(5)?.unwrap_or_default(),
                        };
                        problems.push((rule.says)(&found, clock));
                    }
                    Ok::<(), super::db::DbError>(())
                })
                .map_err(|e| self.err(e))?;
            if count > NAMED {
                problems.push(format!("et {} autres {}", count - NAMED, rule.others));
            }
        }
        Ok(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::CLOCK_TOLERANCE;

    /// The triggers and `db check` read the times by one tolerance: every bound the
    /// migrations write after `+`, `-` or `>` is this one.
    #[test]
    fn the_migrations_and_the_check_share_the_tolerance() {
        for sql in [
            include_str!("../../db/migrations/sqlite/0017_record_by_the_server.sql"),
            include_str!("../../db/migrations/postgres/0006_record_by_the_server.sql"),
        ] {
            let code: String = sql
                .lines()
                .map(|l| l.split("--").next().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\n");
            let bounds: Vec<&str> = code
                .split(['+', '-', '>'])
                .skip(1)
                .filter_map(|rest| {
                    let rest = rest.trim_start();
                    let digits = rest.split(|c: char| !c.is_ascii_digit()).next()?;
                    // Not a count's `+ 1`: the bounds are the multi-digit ones.
                    (digits.len() > 1).then_some(digits)
                })
                .collect();
            assert!(bounds.len() >= 4, "{bounds:?}");
            assert!(
                bounds.iter().all(|b| *b == CLOCK_TOLERANCE.to_string()),
                "{bounds:?}"
            );
        }
    }
}
