//! Every screen in every state worth seeing, built from fixed data and a fixed clock. The
//! snapshot tests and the screenshot command both render these scenes, so the pictures in
//! `screenshots/` are what the tests check.

use super::app::App;
use super::theme::Theme;
use crate::catalog::embedded_reference;
use crate::domain::call::{CallDraft, Outcome};
use crate::store::Store;
use chrono::{DateTime, Duration, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

pub struct Scene {
    pub name: &'static str,
    pub width: u16,
    pub height: u16,
    build: fn() -> App,
}

/// 23 November 2026, 09:41 in Paris.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 41, 0).unwrap()
}

pub const OPERATOR: &str = "dupontje";
pub const DESK: &str = "Hotline MI 01 40 07 20 00";

/// A console of the gallery's operator and desk on `store`, with the embedded catalogue
/// (the tests' consoles too).
pub fn app_with(store: Store, theme: Theme) -> App {
    let reference = embedded_reference();
    let catalog = crate::catalog::procedures::embedded(&reference);
    App::new(
        store,
        reference,
        catalog,
        OPERATOR.into(),
        DESK.into(),
        theme,
        now(),
    )
}

fn empty() -> App {
    app_with(Store::open_in_memory().unwrap(), Theme { color: true })
}

/// A morning at the desk: open and closed calls of several services.
pub fn sample_store() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    fill_sample(&mut store);
    store
}

/// Writes [`sample_store`]'s morning into a new, empty store (of either engine).
pub fn fill_sample(store: &mut Store) {
    let reference = embedded_reference();
    let t = now();
    let calls = [
        (
            "Théo Müller",
            "01 44 38 20 00",
            "social-direccte",
            "pc-perso",
            "accès GEMINI refusé depuis le domicile",
            "martinpa",
            t - Duration::hours(20),
            Some(Outcome::Transferred),
        ),
        (
            "Anne Çelik",
            "02 31 30 15 00",
            "acn-caen",
            "copier",
            "impression bloquée sur le copieur de la DSI",
            "martinpa",
            t - Duration::minutes(106),
            None,
        ),
        (
            "Bruno Lefèvre",
            "06 71 23 45 67",
            "mi",
            "span",
            "VPN ne se connecte pas en 4G",
            "dupontje",
            t - Duration::minutes(89),
            None,
        ),
        (
            "Chloé Œuvray",
            "",
            "mtes",
            "pc-pro",
            "audioconférence à six personnes demain",
            "dupontje",
            t - Duration::minutes(71),
            Some(Outcome::Resolved),
        ),
        (
            "Éloïse Le Gall-N'Diaye",
            "06 12 34 56 78",
            "mi",
            "noemi",
            "carte agent perdue, NOEMI en veille",
            "dupontje",
            t - Duration::minutes(12),
            None,
        ),
    ];
    for (name, phone, service, device, summary, op, at, outcome) in calls {
        let new = CallDraft {
            caller_name: name.into(),
            caller_phone: phone.into(),
            service: service.into(),
            device: device.into(),
            summary: summary.into(),
            ..CallDraft::default()
        }
        .validate(&reference, op, at)
        .unwrap();
        let call = store.insert_call(&new).unwrap();
        if let Some(o) = outcome {
            store
                .close_call(call.reference, op, at + Duration::minutes(9), o, None)
                .unwrap();
        }
    }
    let last = crate::domain::call::CallRef(5);
    store
        .add_note(
            last,
            OPERATOR,
            t - Duration::minutes(10),
            "collègue absent, pas de déverrouillage possible",
        )
        .unwrap();
    store
        .add_note(
            last,
            OPERATOR,
            t - Duration::minutes(8),
            "rappeler après accord du RSIM",
        )
        .unwrap();
}

fn filled() -> App {
    app_with(sample_store(), Theme { color: true })
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn ctrl(app: &mut App, c: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn list_empty() -> App {
    empty()
}

fn list_open() -> App {
    filled()
}

fn list_no_color() -> App {
    app_with(sample_store(), Theme { color: false })
}

fn list_all_search() -> App {
    let mut app = filled();
    key(&mut app, KeyCode::Char('t'));
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "celi");
    app
}

fn list_search_none() -> App {
    let mut app = filled();
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "Zygmunt");
    app
}

fn form_empty() -> App {
    let mut app = filled();
    key(&mut app, KeyCode::F(2));
    app
}

fn form_service_picker() -> App {
    let mut app = filled();
    key(&mut app, KeyCode::F(2));
    type_text(&mut app, "Zoé Martin");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "06 12 34 56 78");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "aca");
    app.tick(now() + Duration::seconds(157));
    app
}

/// A new call typed field by field, up to its summary (the notes left empty).
fn typed_call(app: &mut App, name: &str, service: &str, device: &str, summary: &str) {
    key(app, KeyCode::F(2));
    type_text(app, name);
    key(app, KeyCode::Tab);
    type_text(app, "06 12 34 56 78");
    key(app, KeyCode::Tab);
    key(app, KeyCode::Tab);
    type_text(app, service);
    key(app, KeyCode::Tab);
    type_text(app, device);
    key(app, KeyCode::Tab);
    type_text(app, summary);
}

/// Ctrl-S on a server that stopped answering: the form stays, the status line says so.
fn form_server_slow() -> App {
    let mut app = form_filled();
    app.store.pretend_slow("pg.interieur.gouv.fr:5432", 3, 1);
    app
}

fn form_filled() -> App {
    let mut app = filled();
    key(&mut app, KeyCode::F(2));
    type_text(&mut app, "Zoé Martin");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "06 12 34 56 78");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "zoe.martin@interieur.gouv.fr");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "int");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "noe");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "carte agent oubliée à la maison");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "appelle depuis Beauvau");
    app.tick(now() + Duration::seconds(157));
    app
}

fn form_errors() -> App {
    let mut app = filled();
    key(&mut app, KeyCode::F(2));
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "06-12-AB");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "zoe@");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "xyz");
    key(&mut app, KeyCode::Tab);
    ctrl(&mut app, 's');
    app
}

fn detail_open() -> App {
    let mut app = filled();
    key(&mut app, KeyCode::Enter);
    app
}

fn detail_note() -> App {
    let mut app = detail_open();
    key(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "RSIM joint, révocation de la carte demandée");
    app
}

fn detail_close() -> App {
    let mut app = detail_open();
    key(&mut app, KeyCode::Char('c'));
    key(&mut app, KeyCode::Down);
    type_text(&mut app, "ticket SETNA ouvert");
    app
}

/// Bruno Lefèvre's call, whose procedure escalated it (the journal holds the outcome).
fn escalated_store() -> Store {
    let mut store = sample_store();
    let walk = crate::domain::walk::WalkMark {
        procedure: "mi-noemi-reset-vpn".into(),
        title: None,
        version: None,
        done: vec![],
        current: None,
        ..Default::default()
    };
    store
        .append_walk(
            crate::domain::call::CallRef(3),
            OPERATOR,
            now() - Duration::minutes(5),
            &crate::store::WalkEntry {
                kind: crate::domain::call::JournalKind::Step,
                line: "[mi-noemi-reset-vpn] escaladé vers le support de proximité (ticket SETNA)",
                mark: &walk,
                escalated: true,
            },
        )
        .unwrap();
    store
}

/// The escalated call once pushed to GLPI: its ticket's number on the call and in its
/// journal.
fn detail_glpi_ticket() -> App {
    let store = ticketed_store();
    let mut app = app_with(store, Theme { color: true });
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    app
}

/// The escalated call on a desk whose GLPI is configured: its frame says which key makes
/// the ticket. (The sender is not started: a gallery draws, it sends nothing.)
fn detail_escalated_glpi() -> App {
    let mut app = app_with(escalated_store(), Theme { color: true });
    let (wake, _woken) = std::sync::mpsc::channel();
    app.desk.glpi = super::component::GlpiLink::On(wake);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    app
}

fn detail_close_escalated() -> App {
    let mut app = app_with(escalated_store(), Theme { color: true });
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('c'));
    app
}

fn detail_close_confirm() -> App {
    let mut app = detail_close_escalated();
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Enter);
    app
}

fn detail_closed() -> App {
    let mut app = filled();
    key(&mut app, KeyCode::Char('t'));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    app
}

fn detail_correct() -> App {
    let mut app = detail_closed();
    key(&mut app, KeyCode::Char('c'));
    key(&mut app, KeyCode::Down);
    type_text(&mut app, "rappel prévu : l'agent doit tester la salle");
    app
}

/// The escalated call pushed to GLPI four minutes ago: ticket n° 1234.
fn ticketed_store() -> Store {
    let mut store = escalated_store();
    let call = crate::domain::call::CallRef(3);
    let at = now() - Duration::minutes(4);
    let push = store.glpi_queue(call, OPERATOR, at).unwrap().unwrap();
    store
        .glpi_ticket_recorded(push.id, call, 1234, OPERATOR, at)
        .unwrap();
    store
}

/// Correcting the outcome of a call sent to GLPI: asked first, a followup will say it.
fn detail_correct_ticketed() -> App {
    let mut store = ticketed_store();
    let call = crate::domain::call::CallRef(3);
    let at = now() - Duration::minutes(4);
    store
        .close_call(call, OPERATOR, at, Outcome::Escalated, None)
        .unwrap();
    let mut app = app_with(store, Theme { color: true });
    key(&mut app, KeyCode::Char('t'));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('c'));
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Enter);
    app
}

fn detail_entry() -> App {
    let mut app = detail_open();
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Enter);
    app
}

fn help_list() -> App {
    let mut app = filled();
    key(&mut app, KeyCode::Char('?'));
    app
}

fn help_form() -> App {
    let mut app = filled();
    key(&mut app, KeyCode::F(2));
    key(&mut app, KeyCode::F(1));
    app
}

fn help_form_end() -> App {
    let mut app = help_form();
    for _ in 0..40 {
        key(&mut app, KeyCode::Down);
    }
    app
}

fn saved() -> App {
    let mut app = form_filled();
    ctrl(&mut app, 's');
    app
}

fn form_matches() -> App {
    let mut app = form_filled();
    ctrl(&mut app, 'p');
    app
}

/// The proposals for a call whose words the desk's finished walks taught: the highlighted
/// procedure says why it ranks where it does (« suivie 12 fois pour « lecteur » »).
fn form_matches_learned() -> App {
    use crate::domain::learned::{Lesson, Lessons};
    let mut app = filled();
    let walks: Vec<Lesson> = (0..12)
        .map(|i| Lesson {
            summary: "le lecteur de carte ne lit plus la carte agent".into(),
            procedure: "mi-agent-card-cryhod".into(),
            at: now() - Duration::days(i * 5),
        })
        .collect();
    app.desk
        .library
        .index
        .set_learned(&Lessons::learn(&walks, now()));
    typed_call(
        &mut app,
        "Zoé Martin",
        "int",
        "noe",
        "le lecteur ne lit plus ma carte",
    );
    ctrl(&mut app, 'p');
    app
}

fn runner_ask() -> App {
    let mut app = form_matches();
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('n'));
    app
}

fn runner_secret() -> App {
    let mut app = runner_ask();
    key(&mut app, KeyCode::Char('n'));
    type_text(&mut app, "Tr0ub4dor&3");
    app
}

fn runner_secret_shown() -> App {
    let mut app = runner_secret();
    ctrl(&mut app, 'r');
    app
}

/// Walks `slug` on a new call whose summary proposes it.
fn walking(service: &str, device: &str, summary: &str, slug: &str) -> App {
    let mut app = filled();
    typed_call(&mut app, "Hugo Bernard", service, device, summary);
    ctrl(&mut app, 'p');
    let rank = app
        .form()
        .and_then(|f| f.matches.iter().position(|m| m.slug == slug))
        .unwrap_or_else(|| panic!("{slug} is not proposed for « {summary} »"));
    for _ in 0..rank {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    app
}

/// NOMADE 2's certificate password, spelled, at 80x24: the longest secret step's text.
fn runner_nomade2_secret() -> App {
    let mut app = walking("int", "pc perso", "certificat nomade 2", "mi-nomade2");
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    type_text(&mut app, "l1O0-=_?!Kx");
    ctrl(&mut app, 'r');
    app
}

/// AnyConnect on a Rouen call: the perimeter question skipped, with why, after the first
/// step.
fn runner_skipped() -> App {
    let mut app = walking("rouen", "pc pro", "vpn anyconnect", "acn-anyconnect");
    key(&mut app, KeyCode::Enter);
    app
}

/// The 4G walk after 23,4 was typed: the « plus de 20 Go ? » question answered from it,
/// and the value in sight.
fn runner_quota_noted() -> App {
    let mut app = walking("int", "noemi", "4g lente bridée", "mi-noemi-4g");
    // Connected in 4G; then the two steps that open the data usage.
    key(&mut app, KeyCode::Char('o'));
    for _ in 0..2 {
        key(&mut app, KeyCode::Enter);
    }
    type_text(&mut app, "23,4");
    key(&mut app, KeyCode::Enter);
    app
}

fn runner_done() -> App {
    let mut app = runner_secret();
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('n'));
    // Not lost, stolen or broken: forgotten at home, as the call says.
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Enter);
    app
}

/// A step flagged « à revoir » (F9): its note being typed.
fn runner_flag() -> App {
    let mut app = runner_ask();
    key(&mut app, KeyCode::F(9));
    type_text(
        &mut app,
        "la question ne dit pas quoi faire si la carte est cassée",
    );
    app
}

/// The flag stored: the status line says so, the walk goes on at the same step.
fn runner_flagged() -> App {
    let mut app = runner_flag();
    key(&mut app, KeyCode::Enter);
    app
}

/// « Résolu ? » answered at the end of the walk.
fn runner_solved() -> App {
    let mut app = runner_done();
    key(&mut app, KeyCode::Char('o'));
    app
}

fn detail_walked() -> App {
    let mut app = runner_done();
    key(&mut app, KeyCode::Enter);
    app
}

fn procedures_list() -> App {
    let mut app = filled();
    key(&mut app, KeyCode::F(3));
    app
}

fn procedures_for_call() -> App {
    let mut app = detail_open();
    key(&mut app, KeyCode::Char('p'));
    app
}

fn procedure_view() -> App {
    let mut app = filled();
    key(&mut app, KeyCode::F(3));
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "telemaintenance");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('v'));
    app
}

fn procedure_view_for_call() -> App {
    let mut app = procedures_for_call();
    key(&mut app, KeyCode::Char('v'));
    app
}

fn tools_open(tool_steps: usize) -> App {
    let mut app = filled();
    key(&mut app, KeyCode::F(4));
    for _ in 0..tool_steps {
        key(&mut app, KeyCode::PageDown);
    }
    app
}

fn tools_printer() -> App {
    let mut app = tools_open(0);
    type_text(&mut app, "i76rc-dsi04-b4");
    app
}

fn tools_printer_error() -> App {
    let mut app = tools_open(0);
    type_text(&mut app, "I99RC-DSI-RDC");
    app
}

fn tools_comu() -> App {
    let mut app = tools_open(1);
    type_text(&mut app, "Éloïse");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "Le Gall-N'Diaye");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "PPOL");
    app
}

/// COMU opened on Éloïse Le Gall-N'Diaye's call: her name is already there.
fn tools_comu_on_call() -> App {
    let mut app = detail_open();
    key(&mut app, KeyCode::F(4));
    key(&mut app, KeyCode::PageDown);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "SP");
    app
}

fn tools_spell() -> App {
    let mut app = tools_open(2);
    type_text(&mut app, "Il0-x_7!");
    app
}

fn tools_amigo() -> App {
    let mut app = tools_open(3);
    type_text(&mut app, "2026-11-25T13:00");
    app
}

fn tools_xivo() -> App {
    tools_open(6)
}

fn tools_telemaintenance() -> App {
    let mut app = filled();
    key(&mut app, KeyCode::Char('f'));
    key(&mut app, KeyCode::Char('f'));
    // Anne Çelik, Académie de Normandie (Caen): the header shows AMIGO.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::F(4));
    for _ in 0..7 {
        key(&mut app, KeyCode::PageDown);
    }
    type_text(&mut app, "482 913");
    app
}

/// A busy morning shift, for the handover: more calls, outcomes, procedures and notes.
pub fn handover_store() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    fill_handover(&mut store);
    store
}

/// Writes [`handover_store`]'s morning into a new, empty store (of either engine).
pub fn fill_handover(store: &mut Store) {
    use crate::domain::shifts::ShiftPlan;
    use crate::store::HandoverKind;
    fill_sample(store);
    let reference = embedded_reference();
    let t = now();
    let extra = [
        (
            "Marc Dubois",
            "mi",
            "noemi",
            "VPN bleu après mise en veille",
            "martinpa",
            75,
            Some(Outcome::Resolved),
            Some("mi-noemi-reset-vpn"),
        ),
        (
            "Inès Haddad",
            "acn-rouen",
            "pc-pro",
            "prise en main à distance pour Pronote",
            "dupontje",
            68,
            Some(Outcome::Resolved),
            Some("acn-telemaintenance"),
        ),
        (
            "Paul Renaud",
            "mi",
            "noemi",
            "VPN bleu, Wi-Fi de l'hôtel",
            "martinpa",
            61,
            Some(Outcome::Callback),
            Some("mi-noemi-reset-vpn"),
        ),
        (
            "Léa Moreau",
            "mtes",
            "smartphone-pro",
            "fusionner deux appels pour une audio",
            "dupontje",
            50,
            Some(Outcome::Resolved),
            Some("mtes-audio-conference"),
        ),
        (
            "Hugo Bernard",
            "mi",
            "usb-media",
            "clé USB refusée, BitLocker",
            "martinpa",
            44,
            Some(Outcome::Escalated),
            Some("mi-usb-bitlocker"),
        ),
        (
            "Sarah Lopez",
            "acn-caen",
            "ip-phone",
            "renvoi d'appel vers le portable",
            "dupontje",
            30,
            Some(Outcome::Resolved),
            Some("acn-call-forwarding"),
        ),
        (
            "Nadia Petit",
            "social-direccte",
            "pc-perso",
            "GEMINI ne s'ouvre pas",
            "martinpa",
            20,
            None,
            Some("social-gemini"),
        ),
    ];
    for (name, service, device, summary, op, minutes_ago, outcome, procedure) in extra {
        let mut draft = CallDraft {
            caller_name: name.into(),
            service: service.into(),
            device: device.into(),
            summary: summary.into(),
            ..CallDraft::default()
        };
        if let Some(p) = procedure {
            draft.procedures.push(p.into());
        }
        let at = t - Duration::minutes(minutes_ago);
        let call = store
            .insert_call(&draft.validate(&reference, op, at).unwrap())
            .unwrap();
        if let Some(o) = outcome {
            let closed = at + Duration::minutes(4 + minutes_ago % 9);
            store
                .close_call(call.reference, op, closed, o, None)
                .unwrap();
            if o == Outcome::Escalated {
                // Its ticket made, then a note whose followup waits for GLPI.
                let push = store
                    .glpi_queue(call.reference, op, closed)
                    .unwrap()
                    .unwrap();
                store
                    .glpi_ticket_recorded(push.id, call.reference, 4521, op, closed)
                    .unwrap();
                let later = closed + Duration::minutes(10);
                store
                    .add_note(call.reference, op, later, "clé remise au RSSI")
                    .unwrap();
                store.glpi_queue(call.reference, op, later).unwrap();
            }
        }
    }
    let plan = ShiftPlan::default_plan();
    let morning = plan.current(t);
    let night = plan.previous(&morning);
    store
        .add_handover(
            HandoverKind::Note,
            "nuitop",
            night.to - Duration::minutes(10),
            &night,
            "Panne VPN signalée à 6 h sur Beauvau, rétablie à 7 h ; surveiller les rappels.",
        )
        .unwrap();
    store
        .add_handover(
            HandoverKind::Ack,
            OPERATOR,
            night.to + Duration::minutes(2),
            &night,
            "",
        )
        .unwrap();
    store
        .add_handover(
            HandoverKind::Note,
            OPERATOR,
            t - Duration::minutes(1),
            &morning,
            "Rappeler Paul Renaud (VPN hôtel) avant 11 h ; BitLocker de H. Bernard chez le RSSI.",
        )
        .unwrap();
}

fn handover_busy() -> App {
    let mut store = handover_store();
    // The morning's phone: seven calls answered, one given up before anyone picked up.
    for i in 0..8 {
        let id = format!("matin-{i}");
        let ago = Duration::minutes(90 - 10 * i);
        phone_event(
            &mut store,
            &format!("event=newCall&from=0612345678&to=3000&direction=in&callId={id}"),
            ago,
        );
        if i != 3 {
            phone_event(
                &mut store,
                &format!("event=answer&to=3000&direction=in&callId={id}&answeringNumber=3001"),
                ago - Duration::seconds(20),
            );
        }
        phone_event(
            &mut store,
            &format!("event=hangup&to=3000&direction=in&callId={id}&cause=normalClearing"),
            ago - Duration::minutes(4),
        );
    }
    let mut app = app_with(store, Theme { color: true });
    key(&mut app, KeyCode::F(5));
    app
}

/// The handover's morning and three weeks of walks: the CRYHOD procedure often left at
/// its second step and flagged there, the ResetVPN one walked to its end, BitLocker
/// escalated; for the procedures' figures.
pub fn fill_walks(store: &mut Store) {
    use crate::domain::call::JournalKind;
    use crate::domain::walk::WalkMark;
    use crate::store::WalkEntry;
    fill_handover(store);
    let reference = embedded_reference();
    let catalog = crate::catalog::procedures::embedded(&reference);
    let t = now();
    // (procedure, days ago, steps done, end: None left there, Some(escalated)), flag.
    type Walked = (&'static str, i64, usize, Option<bool>, Option<&'static str>);
    let walks: [Walked; 14] = [
        ("mi-agent-card-cryhod", 20, 4, Some(false), None),
        (
            "mi-agent-card-cryhod",
            18,
            1,
            None,
            Some("l'agent n'a pas son numéro de poste : que faire ?"),
        ),
        ("mi-agent-card-cryhod", 15, 4, Some(false), None),
        ("mi-agent-card-cryhod", 12, 1, None, None),
        ("mi-agent-card-cryhod", 9, 2, Some(true), None),
        (
            "mi-agent-card-cryhod",
            6,
            1,
            None,
            Some("la question ne dit pas quoi faire si la carte est cassée"),
        ),
        ("mi-agent-card-cryhod", 2, 4, Some(false), None),
        ("mi-noemi-reset-vpn", 19, 3, Some(false), None),
        ("mi-noemi-reset-vpn", 14, 3, Some(false), None),
        ("mi-noemi-reset-vpn", 8, 3, Some(false), None),
        ("mi-noemi-reset-vpn", 4, 1, None, None),
        ("mi-noemi-reset-vpn", 1, 3, Some(false), None),
        ("mi-usb-bitlocker", 11, 2, Some(true), None),
        ("mi-usb-bitlocker", 3, 3, Some(false), None),
    ];
    for (i, (slug, days, done, end, flag)) in walks.into_iter().enumerate() {
        let p = catalog.get(slug).expect("a procedure of the catalogue");
        let at = t - Duration::days(days) - Duration::minutes(30);
        let draft = CallDraft {
            caller_name: format!("Agent {}", i + 1),
            caller_phone: format!("06 12 34 56 {:02}", i + 10),
            service: "mi".into(),
            device: "noemi".into(),
            summary: p.summary.clone(),
            ..CallDraft::default()
        };
        let proposed = vec![slug.to_string()];
        let call = store
            .insert_proposed_call(
                &draft.validate(&reference, "martinpa", at).unwrap(),
                &proposed,
            )
            .unwrap()
            .reference;
        let ids: Vec<String> = p.steps.iter().map(|s| s.id.clone()).collect();
        let done = done.min(ids.len());
        let mark = |n: usize, finished: bool| WalkMark {
            procedure: slug.into(),
            title: Some(p.title.clone()),
            version: Some(p.version()),
            done: ids[..n].to_vec(),
            current: if finished { None } else { ids.get(n).cloned() },
            ..WalkMark::default()
        };
        let mut write = |kind, mark: &WalkMark, escalated: bool| {
            let entry = WalkEntry {
                kind,
                line: "étape",
                mark,
                escalated,
            };
            store.append_walk(call, "martinpa", at, &entry).unwrap();
        };
        write(JournalKind::Procedure, &mark(0, false), false);
        for n in 1..=done {
            let last = n == done && end.is_some();
            write(JournalKind::Step, &mark(n, last), last && end == Some(true));
        }
        if let Some(note) = flag {
            store
                .flag_step(call, "martinpa", at, slug, &ids[done], note)
                .unwrap();
        }
        let outcome = match end {
            Some(true) => Outcome::Escalated,
            Some(false) => Outcome::Resolved,
            None => Outcome::Callback,
        };
        store
            .close_call(
                call,
                "martinpa",
                at + Duration::minutes(6 + i as i64),
                outcome,
                None,
            )
            .unwrap();
    }
}

fn figures_store() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    fill_walks(&mut store);
    store
}

/// The procedures' figures, from the handover: CRYHOD first, left at its second step.
fn figures() -> App {
    let mut app = app_with(figures_store(), Theme { color: true });
    key(&mut app, KeyCode::F(5));
    key(&mut app, KeyCode::Char('p'));
    app
}

/// CRYHOD's steps annotated: where its walks stop, the flags' notes.
fn figure_steps() -> App {
    let mut app = figures();
    key(&mut app, KeyCode::Enter);
    app
}

/// Further down CRYHOD's steps: those no walk reached are said so.
fn figure_steps_further() -> App {
    let mut app = figure_steps();
    key(&mut app, KeyCode::PageDown);
    key(&mut app, KeyCode::PageDown);
    app
}

/// The figures of a desk where nothing was walked.
fn figures_empty() -> App {
    let mut app = empty();
    key(&mut app, KeyCode::F(5));
    key(&mut app, KeyCode::Char('p'));
    app
}

fn handover_empty() -> App {
    let mut app = empty();
    key(&mut app, KeyCode::F(5));
    app
}

fn handover_writing() -> App {
    let mut app = handover_busy();
    key(&mut app, KeyCode::Char('e'));
    type_text(&mut app, " Ticket SETNA 48213 ouvert.");
    app
}

fn help_runner() -> App {
    let mut app = runner_ask();
    key(&mut app, KeyCode::F(1));
    app
}

fn draft_offer() -> App {
    let mut store = sample_store();
    let draft = CallDraft {
        caller_name: "Anne Çelik".into(),
        caller_phone: "02 31 30 15 00".into(),
        service: "acn-caen".into(),
        summary: "copieur de la DSI bloqué, travaux urgents".into(),
        ..CallDraft::default()
    };
    store
        .save_draft(
            "a-console-killed-earlier",
            OPERATOR,
            now() - Duration::minutes(3),
            now() - Duration::minutes(2),
            &draft,
        )
        .unwrap();
    app_with(store, Theme { color: true })
}

fn take_over() -> App {
    let mut app = filled();
    // Anne Çelik's call was opened by martinpa.
    for _ in 0..2 {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('a'));
    app
}

fn read_only() -> App {
    // A real file opened read-only, as a supervisor's `--read-only` does.
    let path = std::env::temp_dir().join(format!("guichet-gallery-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    {
        let source = sample_store();
        source.backup(&path).unwrap();
    }
    let store = Store::open_with(
        &path,
        &crate::store::FileAccess {
            group: None,
            read_only: true,
        },
    )
    .unwrap();
    let _ = std::fs::remove_file(&path);
    let mut app = app_with(store, Theme { color: true });
    key(&mut app, KeyCode::F(2));
    app
}

/// The extension of the gallery's console.
pub const EXTENSION: &str = "3001";

/// A telephony event as the desk's IPBX posts it, recorded `ago` before the gallery's now.
pub fn phone_event(store: &mut Store, body: &str, ago: Duration) {
    let event = crate::phone::parse_event(None, body.as_bytes()).expect("a valid event");
    store
        .record_phone_event(&event, now() - ago)
        .expect("event recorded");
}

/// Éloïse calls again about her open call: it rings on extension 3001.
fn ringing_store() -> Store {
    let mut store = sample_store();
    phone_event(
        &mut store,
        "event=newCall&from=%2B33612345678&to=3000&direction=in&callId=ipbx-1&user%5B%5D=3001&user%5B%5D=3002",
        Duration::seconds(4),
    );
    store
}

fn ringing_known() -> App {
    app_with(ringing_store(), Theme { color: true }).with_extension(Some(EXTENSION.into()))
}

/// A call ringing, for a screen reader: « Téléphone : sonne », the cursor on the list.
fn ringing_screen_reader() -> App {
    ringing_known().with_screen_reader(true)
}

fn ringing_answered_form() -> App {
    let mut store = ringing_store();
    phone_event(
        &mut store,
        "event=answer&from=%2B33612345678&to=3000&direction=in&callId=ipbx-1&answeringNumber=3001",
        Duration::seconds(0),
    );
    let mut app = app_with(store, Theme { color: true }).with_extension(Some(EXTENSION.into()));
    key(&mut app, KeyCode::F(2));
    app.tick(now() + Duration::seconds(42));
    app
}

fn ringing_withheld() -> App {
    let mut store = sample_store();
    phone_event(
        &mut store,
        "event=newCall&from=anonymous&to=3001&direction=in&callId=ipbx-2",
        Duration::seconds(2),
    );
    app_with(store, Theme { color: true }).with_extension(Some(EXTENSION.into()))
}

/// Three calls for extension 3001 at once: Éloïse answered, Anne and an unknown number
/// ringing; the form taken from the answered one.
fn ringing_three_calls() -> App {
    let mut store = ringing_store();
    for (body, ago) in [
        (
            "event=newCall&from=0231301500&to=3000&direction=in&callId=ipbx-3&user%5B%5D=3001",
            3,
        ),
        (
            "event=newCall&from=0699887766&to=3000&direction=in&callId=ipbx-4&user%5B%5D=3001",
            2,
        ),
        (
            "event=newCall&from=0611111111&to=3000&direction=in&callId=ipbx-5&user%5B%5D=3001",
            1,
        ),
        (
            "event=answer&from=%2B33612345678&to=3000&direction=in&callId=ipbx-1&answeringNumber=3001",
            0,
        ),
    ] {
        phone_event(&mut store, body, Duration::seconds(ago));
    }
    let mut app = app_with(store, Theme { color: true }).with_extension(Some(EXTENSION.into()));
    key(&mut app, KeyCode::F(2));
    app.tick(now() + Duration::seconds(75));
    app
}

/// F7: two calls nobody picked up (one called back since), and a call set aside.
fn awaiting() -> App {
    let mut store = sample_store();
    for (body, ago) in [
        (
            "event=newCall&from=0231301500&to=3000&direction=in&callId=ipbx-6&user%5B%5D=3001",
            7_260,
        ),
        (
            "event=hangup&from=0231301500&to=3000&direction=in&callId=ipbx-6&cause=cancel",
            7_240,
        ),
        (
            "event=newCall&from=0699887766&to=3900&direction=in&callId=ipbx-7",
            600,
        ),
        (
            "event=hangup&from=0699887766&to=3900&direction=in&callId=ipbx-7&cause=noAnswer",
            570,
        ),
    ] {
        phone_event(&mut store, body, Duration::seconds(ago));
    }
    let aside = CallDraft {
        caller_name: "Zoé Martin".into(),
        caller_phone: "06 45 12 78 90".into(),
        service: "acn-rouen".into(),
        summary: "imprimante du CDI hors ligne".into(),
        ..CallDraft::default()
    };
    store
        .set_draft_aside(
            "gallery",
            OPERATOR,
            now() - Duration::minutes(20),
            now() - Duration::minutes(14),
            &aside,
        )
        .expect("draft set aside");
    let mut app = app_with(store, Theme { color: true });
    key(&mut app, KeyCode::F(7));
    app
}

fn form_known_callers() -> App {
    let mut app = filled();
    key(&mut app, KeyCode::F(2));
    type_text(&mut app, "lefev");
    ctrl(&mut app, 'r');
    app
}

pub fn scenes() -> Vec<Scene> {
    let s = |name, build| Scene {
        name,
        width: 80,
        height: 24,
        build,
    };
    vec![
        s("list-empty", list_empty as fn() -> App),
        s("list-open", list_open),
        s("list-no-color", list_no_color),
        s("list-all-search", list_all_search),
        s("list-search-none", list_search_none),
        s("form-empty", form_empty),
        s("form-service-picker", form_service_picker),
        s("form-filled", form_filled),
        s("form-errors", form_errors),
        s("form-server-slow", form_server_slow),
        s("form-saved", saved),
        s("detail-open", detail_open),
        s("detail-note", detail_note),
        s("detail-close", detail_close),
        s("detail-closed", detail_closed),
        s("detail-correct", detail_correct),
        s("detail-correct-ticketed", detail_correct_ticketed),
        s("detail-close-escalated", detail_close_escalated),
        s("detail-close-confirm", detail_close_confirm),
        s("detail-glpi-ticket", detail_glpi_ticket),
        s("detail-escalated-glpi", detail_escalated_glpi),
        s("detail-entry", detail_entry),
        s("help-list", help_list),
        s("help-form", help_form),
        s("help-form-end", help_form_end),
        s("form-matches", form_matches),
        s("form-matches-learned", form_matches_learned),
        s("runner-ask", runner_ask),
        s("runner-secret", runner_secret),
        s("runner-secret-shown", runner_secret_shown),
        s("runner-nomade2-secret", runner_nomade2_secret),
        s("runner-skipped", runner_skipped),
        s("runner-quota-noted", runner_quota_noted),
        s("runner-done", runner_done),
        s("runner-flag", runner_flag),
        s("runner-flagged", runner_flagged),
        s("runner-solved", runner_solved),
        s("detail-walked", detail_walked),
        s("procedures-list", procedures_list),
        s("procedures-for-call", procedures_for_call),
        s("procedure-view", procedure_view),
        s("procedure-view-for-call", procedure_view_for_call),
        s("tools-printer", tools_printer),
        s("tools-printer-error", tools_printer_error),
        s("tools-comu", tools_comu),
        s("tools-comu-on-call", tools_comu_on_call),
        s("tools-spell", tools_spell),
        s("tools-amigo", tools_amigo),
        s("tools-xivo", tools_xivo),
        s("tools-telemaintenance", tools_telemaintenance),
        s("draft-offer", draft_offer),
        s("take-over", take_over),
        s("read-only", read_only),
        s("handover", handover_busy),
        s("handover-empty", handover_empty),
        s("handover-writing", handover_writing),
        s("ringing-known", ringing_known),
        s("ringing-answered-form", ringing_answered_form),
        s("ringing-withheld", ringing_withheld),
        s("ringing-three-calls", ringing_three_calls),
        s("awaiting", awaiting),
        s("figures", figures),
        s("figure-steps", figure_steps),
        s("figure-steps-further", figure_steps_further),
        s("figures-empty", figures_empty),
        s("form-known-callers", form_known_callers),
        s("form-screen-reader", form_screen_reader),
        s("runner-screen-reader", runner_screen_reader),
        s("ringing-screen-reader", ringing_screen_reader),
        Scene {
            name: "awaiting-60x20",
            width: 60,
            height: 20,
            build: awaiting,
        },
        Scene {
            name: "handover-60x20",
            width: 60,
            height: 20,
            build: handover_busy,
        },
        Scene {
            name: "help-runner-60x20",
            width: 60,
            height: 20,
            build: help_runner,
        },
        Scene {
            name: "figures-60x20",
            width: 60,
            height: 20,
            build: figures,
        },
        Scene {
            name: "handover-wide",
            width: 120,
            height: 36,
            build: handover_busy,
        },
        Scene {
            name: "form-filled-wide",
            width: 120,
            height: 32,
            build: form_filled,
        },
    ]
}

impl Scene {
    pub fn app(&self) -> App {
        (self.build)()
    }

    pub fn render(&self) -> Buffer {
        let app = self.app();
        render_app(&app, self.width, self.height)
    }
}

pub fn render_app(app: &App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    terminal.draw(|f| app.draw(f)).expect("drawing into memory");
    let mut buffer = terminal.backend().buffer().clone();
    // For a screen reader the terminal shows its cursor: the picture shows it too, the
    // cell under it inverted and underlined.
    if app.screen_reader()
        && let Ok(at) = terminal.get_cursor_position()
        && let Some(cell) = buffer.cell_mut(at)
    {
        cell.modifier ^= ratatui::style::Modifier::REVERSED;
        cell.modifier |= ratatui::style::Modifier::UNDERLINED;
    }
    buffer
}

/// The new call's form for a screen reader, the service being chosen: the cursor on the
/// proposal Tab would take, no decorative mark.
fn form_screen_reader() -> App {
    let mut app = filled().with_screen_reader(true);
    key(&mut app, KeyCode::F(2));
    type_text(&mut app, "Zoé Martin");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "acn");
    app
}

/// The runner for a screen reader: the steps done and the current one in words, the
/// cursor on the step.
fn runner_screen_reader() -> App {
    runner_ask().with_screen_reader(true)
}

/// The first frame, drawn before the store is opened (`tui::splash`): connecting, and
/// waiting for a place on a full server. Named as scenes are, for the snapshots and the
/// pictures.
pub fn splash_frames() -> Vec<(&'static str, Buffer)> {
    let server = "postgresql://hotline@pg.interieur.gouv.fr:5432/guichet";
    let full = "postgresql://hotline@pg.interieur.gouv.fr:5432/guichet : le serveur \
                n'accepte plus de connexions (max_connections) : rien n'a été fait ; nouvel \
                essai dans 3 s (Ctrl-C pour abandonner)";
    [("connecting", None), ("connecting-full-server", Some(full))]
        .into_iter()
        .map(|(name, waiting)| {
            let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test backend");
            terminal
                .draw(|f| {
                    super::splash::draw(f, DESK, OPERATOR, server, waiting, &Theme { color: true })
                })
                .expect("drawing into memory");
            (name, terminal.backend().buffer().clone())
        })
        .collect()
}
