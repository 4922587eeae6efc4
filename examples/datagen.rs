//! A large, realistic desk for measuring the console:
//!
//! ```sh
//! cargo run --release --example datagen -- --calls 1000000 --procedures 10000 --out DIR
//! ```
//!
//! writes `DIR/guichet.db` (the real schema, created by `Store::open`; two years of calls up
//! to now, written through the store's own statements) and `DIR/procedures/` (the 40 real
//! procedures and variants recombined from them, one TOML file each, for `--catalog`).
//! Deterministic for a seed and a moment. The generators live in `benches/datagen/`, shared
//! with the benches.

#[path = "../benches/datagen/mod.rs"]
#[allow(dead_code)]
mod datagen;

use clap::Parser;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "datagen",
    about = "Génère un guichet de test : DIR/guichet.db et DIR/procedures/"
)]
struct Args {
    /// Nombre d'appels (deux ans d'historique jusqu'à maintenant)
    #[arg(long, default_value_t = 1_000_000)]
    calls: usize,
    /// Nombre de procédures : les 40 réelles, puis des variantes
    #[arg(long, default_value_t = 10_000)]
    procedures: usize,
    /// Dossier où écrire (créé au besoin ; un guichet déjà là est remplacé)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Graine des générateurs
    #[arg(long, default_value_t = 20_250_101)]
    seed: u64,
}

fn main() {
    let args = Args::parse();
    let spec = datagen::desk::Spec {
        calls: args.calls,
        procedures: args.procedures,
        seed: args.seed,
        now: chrono::Utc::now(),
    };
    println!(
        "datagen v{} : {} appels, {} procédures → {}",
        datagen::GENERATOR_VERSION,
        spec.calls,
        spec.procedures,
        args.out.display()
    );
    match datagen::desk::write(&args.out, &spec, &mut |line| println!("  {line}")) {
        Ok(w) => {
            let g = &w.generated;
            let pct = |n: usize| 100.0 * n as f64 / (g.calls - g.open).max(1) as f64;
            println!("écrit :");
            println!(
                "  {} ({:.0} Mo, WAL) : {} appels du {} au {}, {} ouverts",
                w.db.display(),
                w.db_bytes as f64 / 1e6,
                g.calls,
                guichet::domain::time::paris(
                    guichet::domain::time::from_unix(g.oldest),
                    "%d/%m/%Y %H:%M"
                ),
                guichet::domain::time::paris(
                    guichet::domain::time::from_unix(g.newest),
                    "%d/%m/%Y %H:%M"
                ),
                g.open
            );
            println!(
                "  issues : résolu {:.0} %, escaladé {:.0} %, à rappeler {:.0} %, transféré {:.0} %, abandonné {:.0} %",
                pct(g.outcomes[0]),
                pct(g.outcomes[1]),
                pct(g.outcomes[2]),
                pct(g.outcomes[3]),
                pct(g.outcomes[4])
            );
            println!(
                "  journal : {} entrées ; {} procédures suivies ({} étapes, {} à revoir, {} « résolu ? »), {} notes, {} appels repris ; relève : {} notes, {} prises de connaissance",
                g.journal,
                g.walks,
                g.walk_moves,
                g.flags,
                g.answers,
                g.notes,
                g.take_overs,
                g.handover_notes,
                g.handover_acks
            );
            println!(
                "  {} : {} procédures ({} réelles)",
                w.catalog.display(),
                w.procedures,
                w.real_procedures
            );
            println!(
                "en {:.1} s (vérification {:.1} s, procédures {:.1} s, appels {:.1} s, index {:.1} s)",
                w.total.as_secs_f64(),
                w.check.as_secs_f64(),
                w.catalog_took.as_secs_f64(),
                w.calls_took.as_secs_f64(),
                w.index_took.as_secs_f64()
            );
            println!(
                "console : GUICHET_DB={} cargo run --release -- --catalog {}",
                w.db.display(),
                w.catalog.display()
            );
        }
        Err(e) => {
            eprintln!("datagen : {e}");
            std::process::exit(1);
        }
    }
}
