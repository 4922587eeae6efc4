//! The desk's tools a procedure can open (the F4 screen's panels), named by a slug in the
//! procedure files: `tool = "printer"`.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolKind {
    /// Decode or build an Académie de Normandie copier name.
    Printer,
    /// The COMU web-conference login.
    Comu,
    /// Spell a password or a name aloud.
    Spell,
    /// Whether the AMIGO assistance platform is open.
    Amigo,
    /// Until when a CRYHOD password is valid.
    Cryhod,
    /// Whether a NOEMI 4G line is throttled.
    Quota,
    /// The XiVO forwarding and voicemail codes.
    Xivo,
    /// Record a telemaintenance session code on the call.
    Telemaintenance,
}

impl ToolKind {
    pub const ALL: [ToolKind; 8] = [
        ToolKind::Printer,
        ToolKind::Comu,
        ToolKind::Spell,
        ToolKind::Amigo,
        ToolKind::Cryhod,
        ToolKind::Quota,
        ToolKind::Xivo,
        ToolKind::Telemaintenance,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ToolKind::Printer => "printer",
            ToolKind::Comu => "comu",
            ToolKind::Spell => "spell",
            ToolKind::Amigo => "amigo",
            ToolKind::Cryhod => "cryhod",
            ToolKind::Quota => "quota",
            ToolKind::Xivo => "xivo",
            ToolKind::Telemaintenance => "telemaintenance",
        }
    }

    /// The tool's name on the screen.
    pub fn label(self) -> &'static str {
        match self {
            ToolKind::Printer => "Imprimante",
            ToolKind::Comu => "Identifiant COMU",
            ToolKind::Spell => "Épeler",
            ToolKind::Amigo => "AMIGO ouvert ?",
            ToolKind::Cryhod => "Validité CRYHOD",
            ToolKind::Quota => "Quota 4G NOEMI",
            ToolKind::Xivo => "Codes XiVO",
            ToolKind::Telemaintenance => "Télémaintenance",
        }
    }

    /// Whether a value recorded in a walk is one this tool takes in its first field: a
    /// quota in Go, a session code, a copier's name. A date, a name or a password is not
    /// offered: the walk's record steps do not hold one for these tools.
    pub fn accepts(self, value: &str) -> bool {
        match self {
            ToolKind::Quota => super::quota::parse_gb(value).is_ok(),
            ToolKind::Telemaintenance => super::telemaintenance::check_code(value).is_ok(),
            ToolKind::Printer => super::printer::decode(value).is_ok(),
            _ => false,
        }
    }

    /// The tool named by `slug`, exactly as written in a procedure file.
    pub fn from_slug(slug: &str) -> Option<ToolKind> {
        ToolKind::ALL.into_iter().find(|t| t.slug() == slug)
    }

    /// The known slugs, for messages: "printer, comu, … ou telemaintenance".
    pub fn slugs_in_french() -> String {
        let slugs: Vec<&str> = ToolKind::ALL.iter().map(|t| t.slug()).collect();
        let (last, rest) = slugs.split_last().unwrap_or((&"", &[]));
        format!("{} ou {last}", rest.join(", "))
    }
}
