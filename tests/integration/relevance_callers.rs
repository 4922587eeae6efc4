//! The callers' sets of issue 23 (`callers_set.toml`, `callers_set_2.toml`,
//! `callers_set_3.toml`, `callers_set_4.toml`, `callers_set_5.toml`, `callers_set_6.toml`,
//! `callers_set_7.toml`, `callers_set_8.toml`, `callers_set_9.toml`, `callers_set_10.toml`,
//! `callers_set_11.toml`, `callers_set_12.toml`, `callers_set_13.toml`, `callers_set_14.toml`,
//! `callers_set_15.toml`, `callers_set_16.toml`, `callers_set_17.toml`, `callers_set_18.toml`):
//! calls written from the five guides' situations in callers' words (no accents, typos, « le
//! truc bleu en bas », « on s'appelle tous ensemble ») before reading anything of the
//! catalogue, each naming the guide section it comes from; the expected procedure was mapped
//! afterwards from the procedures' `[[sources]]` alone. The second set was written the same way
//! by another hand, after the ranking had been tuned on the first: the calls it loses are the
//! words the first did not teach; the third by a third hand, after the first two, aiming at
//! what they covered less (rare sections, two-word and rambling calls, wrong tool names,
//! English, SMS forms); the fourth (the fifth development set with `relevance_set.toml`) by a
//! fourth hand that read only the guides, the service and device lists and the third set's
//! header, from what a caller says in the first sentence of the call and the operator's short
//! note of it, every section of every guide; the fifth (the sixth development set) by a fifth
//! hand that read only the guides, the service and device lists and the third set's header,
//! written as the operator types the call's summary while listening (abbreviations, the
//! caller's odd words, what the caller sees or hears, what they were doing, what they want in
//! the end), every situation of every guide, at least 45 calls from each; the sixth (the
//! seventh development set) by a sixth hand that read only the guides, the service and device
//! lists and the third set's header, as told by callers who are not technical and do not know
//! the tools' names: their situation and goal in everyday words (« je pars en déplacement
//! demain », « ma collègue m'a dit de vous appeler »), wrong service or device words, questions
//! the guide answers indirectly (an hour, a number, an address, a delay, a rule), every
//! situation of every guide, at least 40 calls from each (first figures, before any tuning on
//! it: 274/315 first, 307/315 in the top three); the seventh (the eighth development set) by a
//! seventh hand that read only the guides, the service and device lists and the headers of the
//! third and sixth sets, from what the caller sees and hears and what just happened: the error
//! message or screen read aloud with its words garbled (« ça me dit certificat pas valide »,
//! « un message en anglais, authentication failed »), an icon's colour or a window's shape, a
//! sound (« ça sonne occupé », « bip bip »), the change just before (« depuis que j'ai changé
//! de box », « après être revenue de congé »), the place (train, hotel, parents'), and on-site
//! technicians calling the desk for an agent in shorthand, every situation of every guide, at
//! least 40 calls from each (first figures, before any tuning on it: 342/367 first, 361/367 in
//! the top three); the eighth (the ninth development set) by an eighth hand that read only the
//! guides, the service and device lists and the headers of the sixth and seventh sets, as the
//! line an operator types in a hurry for a caller who is upset, vague or blames the wrong cause
//! (« ma carte est cassée » when the PIN is blocked), two problems in one call, managers for
//! their team, first days, people at home on their own equipment, at least 30 calls from each
//! guide (first figures, before any tuning on it: 209/223 first, 223/223 in the top three);
//! the ninth (the tenth development set) as questions about the rule, the number, the delay
//! or who does what, operators' two- or three-word notes and misnamed tools (first figures:
//! 193/199 first, 199/199 in the top three); the tenth (the eleventh development set) by a
//! tenth hand that read only the guides, the service and device lists and the ninth set's
//! header, as the call's summary comes out of speech-to-text dictation or as an operator
//! writes what they hear: tools' names spelled by their sound (« vé pé haine », « cri ode »,
//! « bite locker », « any connecte », « g mini »), numbers, addresses and letters spelled out
//! in words (« zéro un quarante », « étoile vingt deux »), words cut or merged (« motdepasse »,
//! « share point »), franglais and non-native phrasing (« je peux pas login », « la clé usb
//! est bloquée by security »), English-only calls from foreign trainees and long run-on
//! dictated sentences, at least 30 calls from each guide (first figures, before any tuning on
//! it: 254/268 first, 266/268 in the top three);
//! the eleventh set (the twelfth development set, `callers_set_11.toml`) by another hand that
//! read only the guides, the service and device lists and the ninth set's header, from callers
//! who have already tried things and say so or call back: the steps they followed (from the
//! guide or a colleague) and where it stopped (« j ai deja redemarre et retire la carte,
//! toujours pareil », « j ai tape le code que vous m avez donne ce matin mais rien »), « je
//! rappelle pour mon probleme de tout a l heure », « c est normal que ca prenne si longtemps ? »,
//! « et apres je fais quoi », the outcome they got rather than the problem, in the words of the
//! guides' steps (menus, buttons, fields, icons, settings), every situation of every guide, at
//! least 30 calls from each (first figures, before any tuning on it: 237/239 first, 238/239
//! in the top three);
//! `callers_set_12.toml` (the thirteenth development set) by a hand that read only the guides,
//! the service and device lists and the ninth set's header, as calls full of context that is
//! not the problem (who the caller is and why it is urgent, people, offices, towns, dates, the
//! device's history, what works fine, « c est pas le vpn, le vpn marche ») with the problem in
//! the middle or at the end, and at the other extreme one- or two-word calls (« imprimante »,
//! « code isl », « carte perdue ») where the service and device carry the meaning, at least
//! 30 calls from each guide (first figures, before any tuning on it: 221/236 first,
//! 235/236 in the top three);
//! `callers_set_13.toml` (the fourteenth development set) by a hand that read only the guides,
//! the service and device lists and the twelfth set's header, as callers choosing, comparing
//! or asking permission (« c est quoi la difference entre X et Y », « vaut mieux X ou Y »,
//! « on a le droit de ... », « mon prestataire veut qu on passe par zoom », « pour un webinaire
//! de 60 personnes je prends quoi »), about the guides' grids of recommended, advised, limited
//! and avoided tools, their thresholds, fallbacks and rules, and consumer or other ministries'
//! tools (Zoom, WhatsApp, Teams, Dropbox, Google Drive, WeTransfer, Skype, Doodle), at least
//! 30 calls from each guide (first figures, before any tuning on it: 199/214 first, 213/214 in the
//! top three);
//! `callers_set_14.toml` (the fifteenth development set) by a hand that read only the guides,
//! the service and device lists and the twelfth set's header, as calls carried by times, dates,
//! numbers and half-remembered codes: the hour or day of the call (« il est 21h40 », « c est
//! les vacances de la toussaint », « ca fait un mois pile »), quantities (« on sera 14 », « un
//! fichier de 3 giga », « 25 go consommes »), codes, numbers and addresses remembered wrong or
//! half (« etoile 21 ou 22 je sais plus », « le 01 40 quelque chose », « l imprimante I14
//! quelque chose »), durations, a number or name read off a screen or a label, at least 25
//! calls from each guide (first figures, before any tuning on it: 227/233 first, 233/233 in the
//! top three);
//! `callers_set_15.toml` (the sixteenth development set) by a hand that read only the guides,
//! the service and device lists and the twelfth set's header, as calls about someone else or
//! involving someone from outside (a colleague off sick who asked the caller to call, an
//! intern, a newcomer, a contractor, a partner, an elected official, a parent, a journalist,
//! a guest to a meeting, a relative's device at home, the secretary calling for the boss),
//! relayed second-hand in that person's vague words (« il m a dit que son truc de carte
//! marchait plus », « elle dit qu elle voit un cadenas »), at least 25 calls from each guide
//! (first figures, before any tuning on it: 175/184 first, 184/184 in the top three);
//! `callers_set_16.toml`, `callers_set_17.toml` and `callers_set_18.toml` (the seventeenth to
//! nineteenth development sets) by three more hands that read only the guides, the service and
//! device lists and the sixteenth set's header: calls that anticipate or prepare (a mission
//! abroad, a newcomer on Monday, NOEMI at J-7, a card about to expire); calls that start from
//! the object in front of the caller (the little light, the dock, the card reader slot, the
//! icon's colour), half of them as the operator's terse note (« agt MI pc nomade, voyant cle
//! vpn rouge »); long calls with two or three topics where one is what the caller wants solved
//! today (« bon le vpn ca a fini par marcher hier, mais la c est ma carte agent »);
//! `callers_set_19.toml`, `callers_set_20.toml` and `callers_set_21.toml` (the twentieth to
//! twenty-second) by three more hands under the same rules: requests typed in a chat, a text or
//! a ticket's subject (« [URGENT] pb co vpn », « bjr mdp refuse stp »); franglais and office
//! jargon (« reset du password », « hotspot », « screen share ») or an older agent's vague
//! names; calls by absence and negation (« j ai jamais recu le code », « c est pas le wifi »);
//! `callers_set_22.toml` to `callers_set_24.toml` (the twenty-third to twenty-fifth), again by
//! three hands under the same rules: calls driven by where the caller is (a train, a gîte, the
//! town hall, the family's box); the caller reading out what a screen says (« login failed »,
//! « entrez votre passcode »); callers stuck at one step (« j ai tape le code et apres ? »);
//! `callers_set_25.toml` and `callers_set_26.toml` (the twenty-sixth and twenty-seventh): two
//! to five keywords as typed in a search (« code isl », « noemi 4g quota »); callers naming
//! the thing wrong (« gemini » on a NOEMI, « jitsi », « le spam » for the SPAN);
//! `callers_set_27.toml` to `callers_set_29.toml` (the twenty-eighth to thirtieth): what the
//! problem costs the caller first; the administration's acronyms and titles around the
//! problem; the operator's question-and-answer notes (« depuis quand ? ce matin »).
//! `callers_set_30.toml` to `callers_set_35.toml` (the thirty-first to thirty-sixth): SMS and
//! phonetic spelling; brands and models; on-site technicians' jargon; the operator's closing
//! line after the call; a speech-to-text transcript; numbers, codes and durations.
//! `callers_set_36.toml` to `callers_set_40.toml` (the thirty-seventh to forty-first): agents
//! whose first language is not French; a smartphone's autocorrect; the formal register;
//! regional, overseas and other francophone French; when and how often the problem comes.
//! `callers_set_41.toml` to `callers_set_44.toml` (the forty-second to forty-fifth): a worry
//! about security, privacy or blame; a comparison with a colleague or before; images and
//! onomatopoeia; requests for a whole team.
//! Unlike the blind sets (`relevance_blind`),
//! they are development sets: the ranking is tuned against them, with `relevance_set.toml`
//! (`relevance_operators`).
//!
//! The set's format, its checks and its counting are those of every set written from the
//! guides (`relevance_guide_sets`); here the figures reached are a floor: a change to the
//! ranking that loses calls fails.
//!
//! `cargo test --test integration relevance_callers -- --nocapture`

use super::relevance_guide_sets::{Call, TOP, assert_well_formed, load, run};
use super::relevance_operators::{Search, percent};

/// A development set of callers' words and what the ranking reaches on its counted calls
/// (the floor a change must keep): calls whose expected procedure comes first, and whose
/// expected procedure or an accepted one is in the first three.
struct DevSet {
    name: &'static str,
    toml: &'static str,
    floor_top1: usize,
    floor_top3: usize,
}

/// The set of that name (its text embedded, so that a change to it rebuilds the test) and its
/// floors: top-1, then top-3.
macro_rules! dev_set {
    ($name:literal, $floor_top1:expr, $floor_top3:expr) => {
        DevSet {
            name: $name,
            toml: include_str!($name),
            floor_top1: $floor_top1,
            floor_top3: $floor_top3,
        }
    };
}

const CALLERS: DevSet = dev_set!("callers_set.toml", 248, 249);

const CALLERS_2: DevSet = dev_set!("callers_set_2.toml", 280, 282);

/// Written the same way by a third hand, after the ranking had been tuned on the first two;
/// its first figures (before any tuning on it) measured unseen calls.
const CALLERS_3: DevSet = dev_set!("callers_set_3.toml", 297, 303);

/// Written the same way by a fourth hand, after the ranking had been tuned on the first
/// three, from the callers' first sentence and the operator's short note of it; its first
/// figures (before any tuning on it) measured unseen calls.
const CALLERS_4: DevSet = dev_set!("callers_set_4.toml", 378, 382);

/// Written the same way by a fifth hand, after the ranking had been tuned on the first four,
/// as the operator's summary typed while listening; its first figures (before any tuning on
/// it) measured unseen calls.
const CALLERS_5: DevSet = dev_set!("callers_set_5.toml", 348, 350);

/// Written the same way by a sixth hand, after the ranking had been tuned on the first five,
/// as told by callers who do not know the tools' names (their situation and goal in everyday
/// words); its first figures (before any tuning on it) measured unseen calls.
const CALLERS_6: DevSet = dev_set!("callers_set_6.toml", 311, 315);

/// Written the same way by a seventh hand, after the ranking had been tuned on the first six,
/// from what the caller sees and hears and what just happened (messages read aloud, icons'
/// colours, sounds, a change just before, the place, on-site technicians' shorthand); its
/// first figures (before any tuning on it) measured unseen calls.
const CALLERS_7: DevSet = dev_set!("callers_set_7.toml", 361, 367);

/// Written the same way by an eighth hand, after the ranking had been tuned on the first
/// seven, as the line an operator types in a hurry for a caller who is upset, vague or blames
/// the wrong cause (« il dit que le wifi marche pas, en fait l icone du vpn est bleue »), calls
/// mixing two problems of which one is the reason for the call, managers calling for their
/// team, agents on their first day, people at home on their own equipment; its first figures
/// (before any tuning on it) measured unseen calls: 209/223 first, 223/223 in the top three.
const CALLERS_8: DevSet = dev_set!("callers_set_8.toml", 218, 223);

/// Written the same way by a ninth hand, after the ranking had been tuned on the first eight,
/// as questions about the rule, the number, the deadline or who does what rather than a
/// failure (« c est a qui que je demande », « combien de temps ca prend », « est ce que j ai
/// le droit de »), operators' two- or three-word notes (« vpn ko rouen », « pwd oublie
/// webmel »), and tools misnamed or called by a near or older name (« anyconect », « cryod »,
/// « jitsy »); its first figures (before any tuning on it) measured unseen calls: 193/199 first, 199/199 in the top three.
const CALLERS_9: DevSet = dev_set!("callers_set_9.toml", 197, 199);

/// Written the same way by a tenth hand, after the ranking had been tuned on the first nine,
/// as the call's summary comes out of speech-to-text dictation or as an operator writes what
/// they hear: tools' names spelled by their sound (« vé pé haine », « cri ode », « bite
/// locker », « any connecte », « g mini »), numbers, addresses and letters spelled out in words
/// (« zéro un quarante », « étoile vingt deux », « code à six chiffres »), words cut or merged
/// (« motdepasse », « web mail », « visio conf »), franglais and non-native phrasing (« my
/// computer ne marche pas », « je peux pas login »), English-only calls from foreign trainees,
/// long run-on dictated sentences without punctuation; its first figures (before any tuning on
/// it) measured unseen calls: 254/268 first, 266/268 in the top three.
const CALLERS_10: DevSet = dev_set!("callers_set_10.toml", 258, 268);

/// Written the same way by another hand (the twelfth development set), after the ranking had
/// been tuned on the earlier sets, from callers who have already tried things and say so or call
/// back: the steps they followed and where it stopped (« j ai tape resetvpn dans recherche, ca
/// a ferme et relance mais l icone reste bleue »), « je rappelle pour », « c est normal que »,
/// « et apres je fais quoi », the outcome rather than the problem, in the words of the guides'
/// steps (menus, buttons, fields, icons, settings) rather than the situation's title; its first
/// figures (before any tuning on it) measured unseen calls: 237/239 first, 238/239 in the top
/// three.
const CALLERS_11: DevSet = dev_set!("callers_set_11.toml", 239, 239);

/// Written the same way by another hand, after the ranking had been tuned on the sets before
/// it, as calls full of context that is not the problem (who calls and why it is urgent,
/// names, offices, towns, dates, the device's history, what else works, negations such as
/// « c est pas le wifi, le wifi marche ») with the problem in the middle or at the end, and
/// one- or two-word calls (« imprimante », « code isl », « carte perdue », « webconf ») where
/// the service and device carry the meaning; its first figures (before any tuning on it)
/// measured unseen calls: 221/236 first, 235/236 in the top three.
const CALLERS_12: DevSet = dev_set!("callers_set_12.toml", 228, 236);

/// Written the same way by another hand, after the ranking had been tuned on the sets before
/// it, as callers choosing between tools, comparing them or asking whether they may use one
/// (« c est quoi la difference entre gemini et carinae », « vaut mieux le wifi de ma box ou le
/// partage de co », « on a le droit de ... », « mon prestataire veut qu on passe par zoom »,
/// « pour un webinaire de 60 personnes je prends quoi », « je prefere mon outil perso, ca pose
/// probleme ? »): the guides' grids of recommended / advised / limited / avoided tools, their
/// thresholds (participants, file size, hours), fallbacks and rules, and consumer tools or
/// other ministries' (Zoom, WhatsApp, Teams, Dropbox, Google Drive, WeTransfer, Skype,
/// Doodle); its first figures (before any tuning on it) measured unseen calls: 199/214 first,
/// 213/214 in the top three.
const CALLERS_13: DevSet = dev_set!("callers_set_13.toml", 200, 214);

/// Written the same way by another hand (the fifteenth development set), after the ranking had
/// been tuned on the sets before it, as calls carried by times, dates, numbers and
/// half-remembered codes: the hour or day of the call (« il est 21h40 », « samedi matin », « le
/// jour de ma migration »), quantities (« on sera 14 », « 25 go consommes »), codes, numbers and
/// addresses remembered wrong or half (« etoile 21 ou 22 je sais plus », « portail otp point
/// quelque chose », « le code a 6 chiffres plus mon pin »), durations (« ca fait une heure que
/// j attends », « valable combien de temps »), a number or a name read off a screen or a label;
/// its first figures (before any tuning on it) measured unseen calls: 227/233 first, 233/233 in
/// the top three.
const CALLERS_14: DevSet = dev_set!("callers_set_14.toml", 227, 233);

/// Written the same way by another hand (the sixteenth development set), after the ranking had
/// been tuned on the sets before it, as calls about someone else or involving someone from
/// outside: a colleague who is off or cannot call (« ma collegue est en arret, elle m a
/// demande de ... »), an intern or a newcomer, a contractor or a partner organisation, an
/// elected official, a citizen or a parent, a journalist, another ministry or an outside guest
/// to a meeting, a relative's device at home, the secretary calling for the boss, with what
/// that person said relayed second-hand and vaguely (« il m a dit que son truc de carte
/// marchait plus », « elle dit qu elle voit un cadenas »); its first figures (before any
/// tuning on it) measured unseen calls: 175/184 first, 184/184 in the top three.
const CALLERS_15: DevSet = dev_set!("callers_set_15.toml", 176, 184);

/// Written the same way by another hand (the seventeenth development set), after the ranking
/// had been tuned on the sets before it, as calls that anticipate or prepare rather than report
/// a breakdown: a mission abroad next week, leave, starting telework, a newcomer arriving on
/// Monday, a move, NOEMI at J-7, a new phone about to be delivered, a meeting with outsiders, a
/// card about to expire (« je veux pas etre bloque lundi », « qu est ce que je dois prevoir »);
/// its first figures (before any tuning on it) measured unseen calls: 209/220 first, 220/220 in the
/// top three.
const CALLERS_16: DevSet = dev_set!("callers_set_16.toml", 209, 220);

/// Written the same way by another hand (the eighteenth development set), as calls that start
/// from the object in front of the caller and its state (the cable, the little light, the
/// dock, the card reader slot, the key on a keychain, the icon's colour, the padlock, the
/// copier's tray), about half of them as the operator's terse note while listening (« agt MI
/// pc nomade, voyant cle vpn rouge, rien ne se passe »); its first figures (before any tuning
/// on it) measured unseen calls: 208/225 first, 224/225 in the top three.
const CALLERS_17: DevSet = dev_set!("callers_set_17.toml", 211, 225);

/// Written the same way by another hand (the nineteenth development set), as long calls with
/// two or three topics of which one is what the caller wants solved today and the others past,
/// settled or minor, marked « surtout », « le vrai probleme », « par contre », « mais bon », at
/// the start, the middle or the end; its first figures (before any tuning on it) measured
/// unseen calls: 166/175 first, 174/175 in the top three.
const CALLERS_18: DevSet = dev_set!("callers_set_18.toml", 168, 175);

/// Written the same way by another hand (the twentieth development set), as requests typed
/// rather than said: a chat window, a text to the technician on call, a ticket's subject line
/// (« [URGENT] pb co vpn », « bjr, mdp refuse stp »), texting abbreviations, capitals, a polite
/// e-mail opening before the problem; its first figures (before any tuning on it) measured
/// unseen calls: 219/224 first, 224/224 in
/// the top three.
const CALLERS_19: DevSet = dev_set!("callers_set_19.toml", 219, 224);

/// Written the same way by another hand (the twenty-first development set), in franglais and
/// office jargon (login, password, reset, hotspot, tethering, reboot, freeze, screen share,
/// dongle, pairing) and, at the other extreme, an older agent's vague names for the technology
/// (« le machin pour se connecter de chez soi »); its first figures (before any tuning on it)
/// measured unseen calls: 243/250 first, 250/250 in the top three.
const CALLERS_20: DevSet = dev_set!("callers_set_20.toml", 243, 250);

/// Written the same way by another hand (the twenty-second development set), as calls that
/// describe by absence and negation: what the caller does not have, what it is not, what never
/// came, what no longer happens, what cannot be found (« j ai jamais recu le code », « c est
/// pas le wifi »); its first figures (before any tuning on it) measured unseen calls: 190/199 first, 197/199
/// in the top three.
const CALLERS_21: DevSet = dev_set!("callers_set_21.toml", 193, 199);

/// Written the same way by another hand (the twenty-third development set), as calls driven by
/// where the caller is (a train, a hotel, a gîte, abroad, a school, the town hall, a ministry
/// site, at home on the family's box, a dead zone, a school holiday, after 21h), the place said
/// first or at length and the problem after, sometimes only implied; its first figures (before
/// any tuning on it) measured unseen calls: 165/178 first, 177/178 in the top three.
const CALLERS_22: DevSet = dev_set!("callers_set_22.toml", 166, 177);

/// Written the same way by another hand (the twenty-fourth development set), as the caller
/// reading aloud, or garbling, what a screen, a pop-up, a phone's display, a page or a mail
/// says (« entrez votre passcode », « login failed », « pas d internet securise »), with
/// little else; its first figures (before any tuning on it) measured unseen calls: 180/189 first, 189/189 in the top
/// three.
const CALLERS_23: DevSet = dev_set!("callers_set_23.toml", 180, 189);

/// Written the same way by another hand (the twenty-fifth development set), as callers stuck
/// at one step of something the guide describes (« j ai tape le code et apres ? », « j ai le
/// numero mais pas le code »), naming the step rather than the task; its first figures (before
/// any tuning on it) measured unseen calls: 185/201 first, 201/201 in the top three.
const CALLERS_24: DevSet = dev_set!("callers_set_24.toml", 185, 201);

/// Written the same way by another hand (the twenty-sixth development set), as keywords
/// rather than sentences: two to five words as an operator types them in the summary to search
/// or a caller says them (« cryhod mdp oublie », « code isl », « noemi 4g quota »); its first
/// figures (before any tuning on it) measured unseen calls: 202/211 first, 211/211 in the top three.
const CALLERS_25: DevSet = dev_set!("callers_set_25.toml", 202, 211);

/// Written the same way by another hand (the twenty-seventh development set), as callers who
/// name the thing wrong: another ministry's or a former employer's tool (« gemini » on a
/// NOEMI), a brand (« teams », « teamviewer »), the old name (« jitsi »), a half-heard acronym
/// (« le spam » for the SPAN, « cetna »); its first figures (before any tuning on it) measured
/// unseen calls: 188/194 first, 194/194 in the top three.
const CALLERS_26: DevSet = dev_set!("callers_set_26.toml", 188, 194);

/// Written the same way by another hand (the twenty-eighth development set), as callers who
/// start from what the problem costs them (a missed meeting, a file due, a team blocked, a
/// boss waiting), the cause late or only implied; its first figures (before any tuning on it)
/// measured unseen calls: 157/166 first, 165/166 in the top three.
const CALLERS_27: DevSet = dev_set!("callers_set_27.toml", 157, 166);

/// Written the same way by another hand (the twenty-ninth development set), as callers who
/// place themselves in the administration's acronyms and titles (UD, DDT, DSDEN, EPLE, circo,
/// SGAMI, chef de bureau, DGS de mairie) around a problem from the guides; its first figures
/// (before any tuning on it) measured unseen calls: 184/192 first, 192/192 in the top three.
const CALLERS_28: DevSet = dev_set!("callers_set_28.toml", 184, 192);

/// Written the same way by another hand (the thirtieth development set), as the operator's
/// notes of the exchange, questions and answers run together (« depuis quand ? ce matin.
/// message ? aucun. deja redemarre ? oui »); its first figures (before any tuning on it)
/// measured unseen calls: 190/198 first, 198/198 in the top three.
const CALLERS_29: DevSet = dev_set!("callers_set_29.toml", 190, 198);

/// Written the same way by another hand (the thirty-first development set), as callers whose
/// spelling is phonetic, SMS-style or dyslexic on every word (« jariv pa a me conecté », « mon
/// mo 2 pass », « jarrivepa », « cé ki ke jappel »); its first figures (before any tuning on
/// it) measured unseen calls: 212/237 first, 230/237 in the top three.
const CALLERS_30: DevSet = dev_set!("callers_set_30.toml", 226, 237);

/// Written the same way by another hand (the thirty-second development set), as callers who
/// name the equipment by its brand, model, system or program (« mon lenovo », « le dell du
/// bureau », « la livebox », « sous windows 10 », « outlook »); its first figures (before any
/// tuning on it) measured unseen calls: 222/232 first, 232/232 in the top three.
const CALLERS_31: DevSet = dev_set!("callers_set_31.toml", 223, 232);

/// Written the same way by another hand (the thirty-third development set), as on-site
/// technicians and local IT correspondents calling about an agent's problem in their jargon
/// (« certificat machine », « le poste ne monte pas le tunnel », « réinit du code PIN »); its
/// first figures (before any tuning on it) measured unseen calls: 192/200 first, 199/200 in the
/// top three.
const CALLERS_32: DevSet = dev_set!("callers_set_32.toml", 193, 200);

/// Written the same way by another hand (the thirty-fourth development set), as the operator's
/// closing line typed after the call, in the past tense, as read at handover (« carte oubliee a
/// la maison, procedure de secours expliquee, ok »); its first figures (before any tuning on
/// it) measured unseen calls: 204/211 first, 211/211 in the top three.
const CALLERS_33: DevSet = dev_set!("callers_set_33.toml", 204, 211);

/// Written the same way by another hand (the thirty-fifth development set), as a speech-to-text
/// transcript of the caller's first minute, fillers and the recogniser's errors kept (« mode
/// passe », « serre tifica », « des amis go »); its first figures (before any tuning on it)
/// measured unseen calls: 189/202 first, 201/202 in the top three.
const CALLERS_34: DevSet = dev_set!("callers_set_34.toml", 190, 202);

/// Written the same way by another hand (the thirty-sixth development set), as callers who
/// speak in numbers, codes, quantities and durations and say little of the tool (« *21 », « 3
/// essais », « 23 go », « 15 personnes »); its first figures (before any tuning on it) measured
/// unseen calls: 191/203 first, 201/203 in the top three.
const CALLERS_35: DevSet = dev_set!("callers_set_35.toml", 192, 203);

/// Written the same way by another hand (the thirty-seventh development set), as agents whose
/// first language is not French, in simplified grammar with words of their own language (« moi
/// pas pouvoir entrer dans le vpn », « mon password est expiré », « el código »); its first
/// figures (before any tuning on it) measured unseen calls: 225/235 first, 235/235 in the top
/// three.
const CALLERS_36: DevSet = dev_set!("callers_set_36.toml", 225, 235);

/// Written the same way by another hand (the thirty-eighth development set), as requests typed
/// on a smartphone whose autocorrect turned the tools into dictionary words (« chapeau » for
/// Tchap, « Noémie », « Gémeaux », « wapiti », « vivo »); its first figures (before any tuning
/// on it) measured unseen calls: 209/217 first, 217/217 in the top three.
const CALLERS_37: DevSet = dev_set!("callers_set_37.toml", 210, 217);

/// Written the same way by another hand (the thirty-ninth development set), as requests in a
/// formal, administrative register, the problem among courtesy formulas and nominalisations
/// (« la réinitialisation de mon code confidentiel »); its first figures (before any tuning on
/// it) measured unseen calls: 197/203 first, 203/203 in the top three.
const CALLERS_38: DevSet = dev_set!("callers_set_38.toml", 198, 203);

/// Written the same way by another hand (the fortieth development set), as callers speaking a
/// regional, overseas or other francophone French (« courriel », « cellulaire », « septante »,
/// « ça joue pas », Creole turns of phrase); its first figures (before any tuning on it)
/// measured unseen calls: 185/198 first, 197/198 in the top three.
const CALLERS_39: DevSet = dev_set!("callers_set_39.toml", 185, 198);

/// Written the same way by another hand (the forty-first development set), as callers who
/// describe when and how often the problem comes (« toutes les 10 minutes », « une fois sur
/// deux », « depuis la mise à jour de vendredi »); its first figures (before any tuning on it)
/// measured unseen calls: 169/176 first, 176/176 in the top three.
const CALLERS_40: DevSet = dev_set!("callers_set_40.toml", 170, 176);

/// Written the same way by another hand (the forty-second development set), as callers who
/// start from a worry about security, privacy or blame (« est-ce qu il voit mon ecran », « on
/// va me reprocher d avoir perdu la carte »); its first figures (before any tuning on it)
/// measured unseen calls: 152/162 first, 161/162 in the top three.
const CALLERS_41: DevSet = dev_set!("callers_set_41.toml", 153, 162);

/// Written the same way by another hand (the forty-third development set), as callers who
/// compare with a colleague, another device or before (« ma collegue y arrive et pas moi »,
/// « avec mon telephone perso ca passe »); its first figures (before any tuning on it) measured
/// unseen calls: 182/193 first, 193/193 in the top three.
const CALLERS_42: DevSet = dev_set!("callers_set_42.toml", 182, 193);

/// Written the same way by another hand (the forty-fourth development set), as callers who
/// describe in images, onomatopoeia and vague words (« ca mouline », « le petit rond qui
/// tourne », « le truc pour parler tous ensemble »); its first figures (before any tuning on
/// it) measured unseen calls: 159/167 first, 167/167 in the top three.
const CALLERS_43: DevSet = dev_set!("callers_set_43.toml", 159, 167);

/// Written the same way by another hand (the forty-fifth development set), as requests for
/// several people at once, by a manager, a secretary or a team member (« mes 12 agents passent
/// en teletravail lundi »); its first figures (before any tuning on it) measured unseen calls:
/// 158/166 first, 166/166 in the top three.
const CALLERS_44: DevSet = dev_set!("callers_set_44.toml", 158, 166);

/// Written the same way by another hand (the forty-sixth development set), as complete
/// beginners who name no tool, product or network and say what the thing looks like and
/// what they do with it (« le petit boitier », « la carte avec la puce », « le logiciel ou
/// on se voit en video »); its first figures (before any tuning on it) measured unseen
/// calls: 185/204 first, 199/204 in the top three.
const CALLERS_45: DevSet = dev_set!("callers_set_45.toml", 187, 202);

/// Written the same way by another hand (the forty-seventh development set), as angry,
/// exasperated or panicking callers whose problem is buried in exaggerations, blame and
/// capitals (« ca fait 3 semaines que RIEN ne marche », « encore votre mise a jour »); its
/// first figures (before any tuning on it) measured unseen calls: 177/184 first, 184/184 in
/// the top three.
const CALLERS_46: DevSet = dev_set!("callers_set_46.toml", 178, 184);

/// Written the same way by another hand (the forty-eighth development set), as the subject
/// line of a mail to the hotline or the title of a ticket opened elsewhere, prefixes and
/// noise kept (« TR: RE: », « [URGENT] », « ticket 48213 »); its first figures (before any
/// tuning on it) measured unseen calls: 187/191 first, 191/191 in the top three.
const CALLERS_47: DevSet = dev_set!("callers_set_47.toml", 187, 191);

/// Written the same way by another hand (the forty-ninth development set), as callers who
/// speak first of the work they have to do (a conseil de classe, a payroll, a meeting with
/// the prefet) and let the computing need come out of it; its first figures (before any
/// tuning on it) measured unseen calls: 203/210 first, 210/210 in the top three.
const CALLERS_48: DevSet = dev_set!("callers_set_48.toml", 203, 210);

/// Written the same way by another hand (the fiftieth development set), as callers unsure
/// there is a problem at all, who ask whether what they see is expected (« est-ce normal
/// que... », « c'est grave si... »); its first figures (before any tuning on it) measured
/// unseen calls: 228/237 first, 236/237 in the top three.
const CALLERS_49: DevSet = dev_set!("callers_set_49.toml", 228, 236);

/// Written the same way by another hand (the fifty-first development set), as the
/// operator's shorthand notes taken while the caller talks (« pb cnx vpn tt », « mdp ko »,
/// « non pas vpn, webex »); its first figures (before any tuning on it) measured unseen
/// calls: 208/212 first, 212/212 in the top three.
const CALLERS_50: DevSet = dev_set!("callers_set_50.toml", 208, 212);

/// Written the same way by another hand (the fifty-second development set), as callers who
/// tell the whole story in order, false leads first, the real situation in the middle or at
/// the end; its first figures (before any tuning on it) measured unseen calls: 174/181
/// first, 180/181 in the top three.
const CALLERS_51: DevSet = dev_set!("callers_set_51.toml", 174, 180);

/// Written the same way by another hand (the fifty-third development set), as newcomers on
/// their first day or agents back from a long absence (« on m'a donne un portable ce
/// matin », « depuis mon retour de conge mon code... »); its first figures (before any
/// tuning on it) measured unseen calls: 165/178 first, 178/178 in the top three.
const CALLERS_52: DevSet = dev_set!("callers_set_52.toml", 165, 178);

/// Written the same way by another hand (the fifty-fourth development set), as callers who
/// start on a wrong lead naming another real tool and correct themselves (« c'est le vpn...
/// non attendez, c'est la visio »); its first figures (before any tuning on it) measured
/// unseen calls: 187/195 first, 194/195 in the top three.
const CALLERS_53: DevSet = dev_set!("callers_set_53.toml", 187, 195);

/// Written the same way by another hand (the fifty-fifth development set), as requests
/// typed in a hurry on an AZERTY keyboard, neighbouring keys, swapped, missing or doubled
/// letters and stray spaces on the tools' names too (« imprimznte », « cnonexion », « motde
/// passe »); its first figures (before any tuning on it) measured unseen calls: 208/220
/// first, 220/220 in the top three.
const CALLERS_54: DevSet = dev_set!("callers_set_54.toml", 208, 220);

/// Written the same way by another hand (the fifty-sixth development set), as the
/// description of a ticket written by another operator, in the third person and a report's
/// style (« L'usager signale que... », « Demande : ... »); its first figures (before any
/// tuning on it) measured unseen calls: 179/185 first, 185/185 in the top three.
const CALLERS_55: DevSet = dev_set!("callers_set_55.toml", 179, 185);

/// Written the same way by another hand (the fifty-seventh development set), as what an
/// agent typed into a search engine before calling (« resetvpn comment faire », « pc s
/// eteint tout seul 21h30 »); its first figures (before any tuning on it) measured unseen
/// calls: 204/210 first, 210/210 in the top three.
const CALLERS_56: DevSet = dev_set!("callers_set_56.toml", 204, 210);

/// Written the same way by another hand (the fifty-eighth development set), as callers who
/// ask for the documentation, a tutorial, a link or a training rather than the fix (« vous
/// auriez un tuto pour... »); its first figures (before any tuning on it) measured unseen
/// calls: 183/189 first, 189/189 in the top three.
const CALLERS_57: DevSet = dev_set!("callers_set_57.toml", 183, 189);

/// Written the same way by another hand (the fifty-ninth development set), as calls shaped
/// by home life while teleworking: children on the connection, the family box, the
/// neighbour's wifi, the dog and the cable; its first figures (before any tuning on it)
/// measured unseen calls: 180/188 first, 188/188 in the top three.
const CALLERS_58: DevSet = dev_set!("callers_set_58.toml", 180, 188);

/// Written the same way by another hand (the sixtieth development set), as what the
/// operator catches on a bad line, gaps marked « ... » or « [inaudible] », cut words (« la
/// tele... ance », « le v... n ») and repeated fragments; its first figures (before any
/// tuning on it) measured unseen calls: 187/200 first, 200/200 in the top three.
const CALLERS_59: DevSet = dev_set!("callers_set_59.toml", 187, 200);

/// Written the same way by another hand (the sixty-first development set), as what an
/// operator types in the console's search field while the caller waits, in the desk's
/// jargon (« carte agent perdue cryhod », « code session telemaintenance », « nom
/// copieur »); its first figures (before any tuning on it) measured unseen calls: 184/193
/// first, 193/193 in the top three.
const CALLERS_60: DevSet = dev_set!("callers_set_60.toml", 184, 193);

/// Written the same way by another hand (the sixty-second development set), as callers
/// whose question goes through money: free or paid, who pays the plan, what must be bought
/// (« c'est payant ? », « qui paie le forfait »); its first figures (before any tuning on
/// it) measured unseen calls: 180/190 first, 189/190 in the top three.
const CALLERS_61: DevSet = dev_set!("callers_set_61.toml", 180, 189);

/// Written the same way by another hand (the sixty-third development set), as callers under
/// time pressure who say so first: a meeting in five minutes, a deadline at noon, a
/// minister's visit; its first figures (before any tuning on it) measured unseen calls:
/// 194/203 first, 203/203 in the top three.
const CALLERS_62: DevSet = dev_set!("callers_set_62.toml", 194, 203);

/// Written the same way by another hand (the sixty-fourth development set), as callers
/// whose disability or physical difficulty shapes how they describe the problem (« je vois
/// mal les petits chiffres du boitier », a hand in a cast, a screen reader); its first
/// figures (before any tuning on it) measured unseen calls: 175/184 first, 184/184 in the
/// top three.
const CALLERS_63: DevSet = dev_set!("callers_set_63.toml", 175, 184);

/// Written the same way by another hand (the sixty-fifth development set), as callers who
/// want the hotline to do it for them (« prenez la main », « faites le vous meme »,
/// « activez le de votre cote »); its first figures (before any tuning on it) measured
/// unseen calls: 181/191 first, 188/191 in the top three.
const CALLERS_64: DevSet = dev_set!("callers_set_64.toml", 181, 188);

/// Written the same way by another hand (the sixty-sixth development set), as a young agent
/// speaking very casual French, slang and gamers' anglicisms (« ca beug grave », « c'est
/// chelou », « le pc du taf », « lag »); its first figures (before any tuning on it)
/// measured unseen calls: 181/185 first, 185/185 in the top three.
const CALLERS_65: DevSet = dev_set!("callers_set_65.toml", 181, 185);

/// Written the same way by another hand (the sixty-seventh development set), as messages
/// typed into the support's chat window, politeness formulas, smileys and emojis, « up »
/// when nobody answers (« bjr », « svp », « cdlt »); its first figures (before any tuning
/// on it) measured unseen calls: 195/200 first, 200/200 in the top three.
const CALLERS_66: DevSet = dev_set!("callers_set_66.toml", 195, 200);

/// Written the same way by another hand (the sixty-eighth development set), as voicemails
/// left on the hotline's answering machine, transcribed the next morning: who, where, a
/// number to call back, the problem told briefly; its first figures (before any tuning on
/// it) measured unseen calls: 152/162 first, 162/162 in the top three.
const CALLERS_67: DevSet = dev_set!("callers_set_67.toml", 152, 162);

/// Written the same way by another hand (the sixty-ninth development set), as callers who
/// ask whether something works with their equipment or setup: a Mac, Linux, a Chromebook, a
/// tablet, a given browser, a docking station; its first figures (before any tuning on it)
/// measured unseen calls: 165/171 first, 170/171 in the top three.
const CALLERS_68: DevSet = dev_set!("callers_set_68.toml", 165, 170);

/// Written the same way by another hand (the seventieth development set), as a short
/// numbered or dashed list on one line (« 1) ... 2) ... », « - contexte : ... - symptome :
/// ... - question : ... »); its first figures (before any tuning on it) measured unseen
/// calls: 197/205 first, 205/205 in the top three.
const CALLERS_69: DevSet = dev_set!("callers_set_69.toml", 197, 205);

/// Written the same way by another hand (the seventy-first development set), as callers who
/// ask the hotline to confirm what they read on a forum, in a video or from a chatbot, the
/// advice sometimes wrong (« j'ai lu sur un forum qu'il fallait... »); its first figures
/// (before any tuning on it) measured unseen calls: 158/160 first, 160/160 in the top
/// three.
const CALLERS_70: DevSet = dev_set!("callers_set_70.toml", 158, 160);

/// Written the same way by another hand (the seventy-second development set), in English,
/// by foreign experts, contractors or agents posted abroad, the French names of tools and
/// places kept (« my CRYHOD password », « the AnyConnect VPN »); its first figures (before
/// any tuning on it) measured unseen calls: 162/176 first, 175/176 in the top three.
const CALLERS_71: DevSet = dev_set!("callers_set_71.toml", 162, 175);

/// Written the same way by another hand (the seventy-third development set), as callers who
/// spend most of the call on pleasantries, apologies and thanks and say the problem in a
/// few words in the middle; its first figures (before any tuning on it) measured unseen
/// calls: 163/175 first, 174/175 in the top three.
const CALLERS_72: DevSet = dev_set!("callers_set_72.toml", 163, 175);

/// Written the same way by another hand (the seventy-fourth development set), as callers
/// who say everything in the negative (« je n'ai jamais recu de code », « je ne vois aucun
/// lecteur », « pas moyen de... »); its first figures (before any tuning on it) measured
/// unseen calls: 183/193 first, 192/193 in the top three.
const CALLERS_73: DevSet = dev_set!("callers_set_73.toml", 183, 192);

/// Written the same way by another hand (the seventy-fifth development set), as an
/// on-site technician calling the desk for an agent in IT jargon and abbreviations
/// (« je suis chez l'utilisateur », « N1 », « le poste remonte une erreur de
/// certificat »); its first figures (before any tuning on it) measured unseen calls:
/// 193/202 first, 202/202 in the top three.
const CALLERS_74: DevSet = dev_set!("callers_set_74.toml", 193, 202);

/// Written the same way by another hand (the seventy-sixth development set), as calls
/// whose heart is a time, a day, a delay or a deadline (« demain matin », « pendant les
/// vacances », « combien de temps ça prend »); its first figures (before any tuning on
/// it) measured unseen calls: 175/184 first, 183/184 in the top three.
const CALLERS_75: DevSet = dev_set!("callers_set_75.toml", 175, 183);

/// Written the same way by another hand (the seventy-seventh development set), as
/// callers comparing with the old way or the old tool (« avant on faisait X, maintenant
/// ? », « depuis le changement »); its first figures (before any tuning on it) measured
/// unseen calls: 166/172 first, 172/172 in the top three.
const CALLERS_76: DevSet = dev_set!("callers_set_76.toml", 166, 172);

/// Written the same way by another hand (the seventy-eighth development set), as yes/no
/// questions built on a wrong certainty the guide corrects (« c'est bien par mail que
/// j'envoie mon code ? »); its first figures (before any tuning on it) measured unseen
/// calls: 184/204 first, 204/204 in the top three.
const CALLERS_77: DevSet = dev_set!("callers_set_77.toml", 184, 204);

/// Written the same way by another hand (the seventy-ninth development set), as callers
/// who describe things by images and analogies instead of names (« le cadenas », « le
/// truc qui fait le pont avec le bureau », « comme un skype mais de l'État »); its
/// first figures (before any tuning on it) measured unseen calls: 193/198 first,
/// 196/198 in the top three.
const CALLERS_78: DevSet = dev_set!("callers_set_78.toml", 195, 198);

/// Written the same way by another hand (the eightieth development set), as long calls
/// with two or three topics, a tool named early as a decoy and the real request last
/// (« j'ai eu un souci de VPN hier, réglé, et là mon vrai problème c'est… »); its first
/// figures (before any tuning on it) measured unseen calls: 174/181 first,
/// 181/181 in the top three.
const CALLERS_79: DevSet = dev_set!("callers_set_79.toml", 174, 181);

/// Written the same way by another hand (the eighty-first development set), as callers
/// who name their organisation, office or role instead of the tool (« je suis à la
/// préfecture », « au rectorat », « agent de la DREAL »); its first figures (before any
/// tuning on it) measured unseen calls: 185/202 first, 201/202 in the top three.
const CALLERS_80: DevSet = dev_set!("callers_set_80.toml", 185, 201);

/// Written the same way by another hand (the eighty-second development set), as callers
/// reading aloud instructions received on paper, a post-it, an SMS or a forwarded mail,
/// partly and wrongly (« sur le post-it y a marqué… »); its first figures (before any
/// tuning on it) measured unseen calls: 189/195 first, 194/195 in the top three.
const CALLERS_81: DevSet = dev_set!("callers_set_81.toml", 189, 194);

const MIN_CALLS: usize = 150;
/// Every guide has its callers: at least this many calls from each.
const MIN_PER_GUIDE: usize = 20;
/// The five guides (/work/shared/seeds).
const GUIDES: [&str; 5] = [
    "000_d5abb56c715b756f.txt",
    "001_1cd43477181311d7.txt",
    "002_3545f6e10c51b1c1.txt",
    "003_153f178d6c060759.txt",
    "004_a5ea30a1e6417b83.txt",
];

fn guide_problems(set: &[Call]) -> Vec<String> {
    GUIDES
        .iter()
        .filter_map(|g| {
            let n = set.iter().filter(|c| c.seed == *g).count();
            (n < MIN_PER_GUIDE)
                .then(|| format!("{g} has {n} calls, at least {MIN_PER_GUIDE} wanted"))
        })
        .collect()
}

fn assert_well_formed_and_covers_every_guide(set: &DevSet) {
    let search = Search::new();
    let calls = load(set.name, set.toml);
    assert_well_formed(set.name, &calls, &search, MIN_CALLS);
    let problems = guide_problems(&calls);
    assert!(
        problems.is_empty(),
        "tests/integration/{}:\n  {}",
        set.name,
        problems.join("\n  ")
    );
}

fn assert_keeps_its_ranking(set: &DevSet) {
    let m = run(set.name, set.toml, MIN_CALLS);
    let n = m.counted;

    let mut failures = Vec::new();
    if m.top1 < set.floor_top1 {
        failures.push(format!(
            "{}: top-1 is {}/{n} ({:.1} %), it was {}/{n}",
            set.name,
            m.top1,
            percent(m.top1, n),
            set.floor_top1
        ));
    }
    if m.top3 < set.floor_top3 {
        failures.push(format!(
            "{}: top-{TOP} is {}/{n} ({:.1} %), it was {}/{n}; outside the top {TOP}:\n    {}",
            set.name,
            m.top3,
            percent(m.top3, n),
            set.floor_top3,
            m.not_in_top.join("\n    ")
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n  "));
}

/// Two tests per set, in a module named after its file, so that a failure names the set:
/// `relevance_callers::callers_set_45::keeps_its_ranking`.
macro_rules! dev_set_tests {
    ($($module:ident => $set:ident),+ $(,)?) => {
        $(
            mod $module {
                #[test]
                fn is_well_formed_and_covers_every_guide() {
                    super::assert_well_formed_and_covers_every_guide(&super::$set);
                }

                #[test]
                fn keeps_its_ranking() {
                    super::assert_keeps_its_ranking(&super::$set);
                }
            }
        )+
    };
}

dev_set_tests! {
    callers_set => CALLERS,
    callers_set_2 => CALLERS_2,
    callers_set_3 => CALLERS_3,
    callers_set_4 => CALLERS_4,
    callers_set_5 => CALLERS_5,
    callers_set_6 => CALLERS_6,
    callers_set_7 => CALLERS_7,
    callers_set_8 => CALLERS_8,
    callers_set_9 => CALLERS_9,
    callers_set_10 => CALLERS_10,
    callers_set_11 => CALLERS_11,
    callers_set_12 => CALLERS_12,
    callers_set_13 => CALLERS_13,
    callers_set_14 => CALLERS_14,
    callers_set_15 => CALLERS_15,
    callers_set_16 => CALLERS_16,
    callers_set_17 => CALLERS_17,
    callers_set_18 => CALLERS_18,
    callers_set_19 => CALLERS_19,
    callers_set_20 => CALLERS_20,
    callers_set_21 => CALLERS_21,
    callers_set_22 => CALLERS_22,
    callers_set_23 => CALLERS_23,
    callers_set_24 => CALLERS_24,
    callers_set_25 => CALLERS_25,
    callers_set_26 => CALLERS_26,
    callers_set_27 => CALLERS_27,
    callers_set_28 => CALLERS_28,
    callers_set_29 => CALLERS_29,
    callers_set_30 => CALLERS_30,
    callers_set_31 => CALLERS_31,
    callers_set_32 => CALLERS_32,
    callers_set_33 => CALLERS_33,
    callers_set_34 => CALLERS_34,
    callers_set_35 => CALLERS_35,
    callers_set_36 => CALLERS_36,
    callers_set_37 => CALLERS_37,
    callers_set_38 => CALLERS_38,
    callers_set_39 => CALLERS_39,
    callers_set_40 => CALLERS_40,
    callers_set_41 => CALLERS_41,
    callers_set_42 => CALLERS_42,
    callers_set_43 => CALLERS_43,
    callers_set_44 => CALLERS_44,
    callers_set_45 => CALLERS_45,
    callers_set_46 => CALLERS_46,
    callers_set_47 => CALLERS_47,
    callers_set_48 => CALLERS_48,
    callers_set_49 => CALLERS_49,
    callers_set_50 => CALLERS_50,
    callers_set_51 => CALLERS_51,
    callers_set_52 => CALLERS_52,
    callers_set_53 => CALLERS_53,
    callers_set_54 => CALLERS_54,
    callers_set_55 => CALLERS_55,
    callers_set_56 => CALLERS_56,
    callers_set_57 => CALLERS_57,
    callers_set_58 => CALLERS_58,
    callers_set_59 => CALLERS_59,
    callers_set_60 => CALLERS_60,
    callers_set_61 => CALLERS_61,
    callers_set_62 => CALLERS_62,
    callers_set_63 => CALLERS_63,
    callers_set_64 => CALLERS_64,
    callers_set_65 => CALLERS_65,
    callers_set_66 => CALLERS_66,
    callers_set_67 => CALLERS_67,
    callers_set_68 => CALLERS_68,
    callers_set_69 => CALLERS_69,
    callers_set_70 => CALLERS_70,
    callers_set_71 => CALLERS_71,
    callers_set_72 => CALLERS_72,
    callers_set_73 => CALLERS_73,
    callers_set_74 => CALLERS_74,
    callers_set_75 => CALLERS_75,
    callers_set_76 => CALLERS_76,
    callers_set_77 => CALLERS_77,
    callers_set_78 => CALLERS_78,
    callers_set_79 => CALLERS_79,
    callers_set_80 => CALLERS_80,
    callers_set_81 => CALLERS_81,
}
