//! The server's roles against the documented ones (`db check` on PostgreSQL): every right a
//! role other than the owner holds on the desk's database, its schema and its tables, that
//! `db/postgres/console-role.sql` does not give, and the ways around the grants (being a
//! member of the owner, of `pg_write_all_data`, or able to make oneself one). Superusers
//! and the owner hold everything by design and are not listed.

use super::{Result, Store};

/// The documented rights of a console role, as the file the desk applies says them.
const CONSOLE_ROLE: &str = include_str!("../../db/postgres/console-role.sql");
const CONSOLE_ROLE_PATH: &str = "db/postgres/console-role.sql";

/// What a right is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    Database,
    Schema,
    Table,
    Sequence,
}

/// The rights `console-role.sql` gives: (what on, its name, the privilege), the names of
/// the database and the schema left out (the desk chooses them).
fn documented() -> Vec<(On, String, String)> {
    let text: String = CONSOLE_ROLE
        .lines()
        .map(|l| l.split("--").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ");
    let mut rights = Vec::new();
    for statement in text.split(';') {
        let statement = statement.split_whitespace().collect::<Vec<_>>().join(" ");
        let Some(rest) = statement.strip_prefix("GRANT ") else {
            continue;
        };
        let (Some((privileges, rest)), true) = (rest.split_once(" ON "), rest.contains(" TO "))
        else {
            continue;
        };
        let objects = rest.rsplit_once(" TO ").map_or(rest, |(o, _)| o);
        let (on, names) = if let Some(n) = objects.strip_prefix("DATABASE ") {
            (On::Database, n)
        } else if let Some(n) = objects.strip_prefix("SCHEMA ") {
            (On::Schema, n)
        } else if let Some(n) = objects.strip_prefix("SEQUENCE ") {
            (On::Sequence, n)
        } else {
            (On::Table, objects.strip_prefix("TABLE ").unwrap_or(objects))
        };
        for name in names.split(',') {
            for privilege in privileges.split(',') {
                let name = match on {
                    On::Database | On::Schema => String::new(),
                    On::Table | On::Sequence => name.trim().to_string(),
                };
                rights.push((on, name, privilege.trim().to_uppercase()));
            }
        }
    }
    rights
}

/// One right held, as the server's catalogue lists it.
struct Held {
    on: On,
    /// The table or sequence (with `.column` for a column's right), the schema, the base.
    name: String,
    /// The grantee; `None` for PUBLIC (every role).
    role: Option<String>,
    privilege: String,
    /// The grantee may give it on.
    grantable: bool,
}

impl Held {
    fn is_documented(&self, documented: &[(On, String, String)]) -> bool {
        let table = self.name.split('.').next().unwrap_or_default();
        let name = match self.on {
            On::Database | On::Schema => "",
            On::Table | On::Sequence => table,
        };
        // PostgreSQL's own defaults for every role: connecting and temporary tables on a
        // database (nothing of the desk's is reached by them alone), using a schema.
        let baseline = match self.on {
            On::Database => matches!(self.privilege.as_str(), "CONNECT" | "TEMPORARY"),
            On::Schema => self.role.is_none() && self.privilege == "USAGE",
            _ => false,
        };
        baseline
            || documented
                .iter()
                .any(|(on, n, p)| *on == self.on && n == name && *p == self.privilege)
    }

    fn sentence(&self) -> String {
        let who = match &self.role {
            Some(r) => format!("le rôle {r} a"),
            None => "tous les rôles (PUBLIC) ont".to_string(),
        };
        let on = match self.on {
            On::Database => format!("la base {}", self.name),
            On::Schema => format!("le schéma {}", self.name),
            On::Table if self.name.contains('.') => format!("la colonne {}", self.name),
            On::Table => format!("la table {}", self.name),
            On::Sequence => format!("la séquence {}", self.name),
        };
        format!(
            "{who} le droit {} sur {on}, que {CONSOLE_ROLE_PATH} ne donne pas",
            self.privilege
        )
    }
}

/// Every right granted on the database, the current schema and its tables, sequences and
/// columns to a role that is neither their owner nor a superuser.
const GRANTS: &str = "\
    WITH acl AS ( \
        SELECT CASE c.relkind WHEN 'S' THEN 'sequence' ELSE 'table' END AS kind, \
               c.relname::text AS name, c.relowner AS owner, a.grantee, a.privilege_type, \
               a.is_grantable \
        FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a \
        WHERE c.relnamespace = current_schema()::regnamespace \
      UNION ALL \
        SELECT 'table', c.relname || '.' || att.attname, c.relowner, a.grantee, \
               a.privilege_type, a.is_grantable \
        FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid \
        CROSS JOIN LATERAL aclexplode(att.attacl) a \
        WHERE c.relnamespace = current_schema()::regnamespace AND NOT att.attisdropped \
      UNION ALL \
        SELECT 'schema', n.nspname::text, n.nspowner, a.grantee, a.privilege_type, \
               a.is_grantable \
        FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a \
        WHERE n.oid = current_schema()::regnamespace \
      UNION ALL \
        SELECT 'database', d.datname::text, d.datdba, a.grantee, a.privilege_type, \
               a.is_grantable \
        FROM pg_database d CROSS JOIN LATERAL aclexplode(d.datacl) a \
        WHERE d.datname = current_database() \
    ) \
    SELECT acl.kind, acl.name, r.rolname::text, acl.privilege_type, acl.is_grantable \
    FROM acl LEFT JOIN pg_roles r ON r.oid = acl.grantee \
    WHERE acl.grantee <> acl.owner \
      AND NOT coalesce(r.rolsuper, false) \
      AND coalesce(r.rolname, '') <> 'pg_database_owner' \
    ORDER BY 2, 3, 4";

/// The login roles of this desk (holding a right on its database, schema or tables, the
/// owner's included, directly or through a role they belong to) that hold more than their
/// grants: members of the tables' owner (all its rights), of `pg_write_all_data` (every
/// table written), or, before PostgreSQL 16, able to create roles (and so to make
/// themselves members of the owner). The cluster's other roles are other desks' business.
const AROUND: &str = "\
    WITH owner AS (SELECT relowner AS oid FROM pg_class WHERE oid = 'journal'::regclass), \
    desk AS ( \
        SELECT a.grantee AS oid FROM pg_database d CROSS JOIN LATERAL aclexplode(d.datacl) a \
        WHERE d.datname = current_database() \
      UNION \
        SELECT a.grantee FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a \
        WHERE n.oid = current_schema()::regnamespace \
      UNION \
        SELECT a.grantee FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a \
        WHERE c.relnamespace = current_schema()::regnamespace \
      UNION \
        SELECT oid FROM owner \
    ) \
    SELECT r.rolname::text, o.rolname::text, \
           pg_has_role(r.oid, o.oid, 'MEMBER'), \
           pg_has_role(r.oid, 'pg_write_all_data', 'MEMBER'), \
           r.rolcreaterole AND current_setting('server_version_num')::int < 160000 \
    FROM pg_roles r, owner JOIN pg_roles o ON o.oid = owner.oid \
    WHERE r.rolcanlogin AND NOT r.rolsuper AND r.oid <> owner.oid \
      AND r.rolname NOT LIKE 'pg\\_%' \
      AND EXISTS (SELECT 1 FROM desk WHERE desk.oid <> 0 AND pg_has_role(r.oid, desk.oid, 'MEMBER')) \
    ORDER BY 1";

impl Store {
    /// The rights beyond the documented ones, one French sentence each, naming the role.
    pub(super) fn check_rights(&self) -> Result<Vec<String>> {
        let err = |e| self.err(e);
        let documented = documented();
        let held = self
            .db
            .query_vec(GRANTS, &[], |r| {
                Ok(Held {
                    on: match r.str(0)? {
                        "database" => On::Database,
                        "schema" => On::Schema,
                        "sequence" => On::Sequence,
                        _ => On::Table,
                    },
                    name: r.get(1)?,
                    role: r.get(2)?,
                    privilege: r.get(3)?,
                    grantable: r.get(4)?,
                })
            })
            .map_err(err)?;
        let mut problems = Vec::new();
        for h in &held {
            if !h.is_documented(&documented) {
                problems.push(h.sentence());
            }
            if h.grantable {
                let who = h.role.as_deref().unwrap_or("PUBLIC");
                problems.push(format!(
                    "le rôle {who} peut donner à d'autres le droit {} sur {}, ce que \
                     {CONSOLE_ROLE_PATH} ne permet pas",
                    h.privilege, h.name
                ));
            }
        }
        let around: Vec<(String, String, bool, bool, bool)> = self
            .db
            .query_vec(AROUND, &[], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .map_err(err)?;
        for (role, owner, member, writes_all, creates_roles) in around {
            if member {
                problems.push(format!(
                    "le rôle {role} est membre du rôle propriétaire {owner} : il a tous ses \
                     droits, au-delà de {CONSOLE_ROLE_PATH}"
                ));
            }
            if writes_all {
                problems.push(format!(
                    "le rôle {role} est membre de pg_write_all_data : il peut modifier et \
                     effacer toutes les tables, au-delà de {CONSOLE_ROLE_PATH}"
                ));
            }
            if creates_roles {
                problems.push(format!(
                    "le rôle {role} peut créer des rôles (CREATEROLE) et se donner ainsi ceux \
                     du propriétaire {owner}, au-delà de {CONSOLE_ROLE_PATH}"
                ));
            }
        }
        Ok(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_rights_are_read_from_the_console_role_file() {
        let rights = documented();
        let has = |on: On, name: &str, p: &str| {
            rights
                .iter()
                .any(|(o, n, q)| *o == on && n == name && q == p)
        };
        assert!(has(On::Database, "", "CONNECT"));
        assert!(has(On::Schema, "", "USAGE"));
        assert!(has(On::Table, "journal", "INSERT"));
        assert!(has(On::Table, "journal", "SELECT"));
        assert!(has(On::Table, "handover_entries", "INSERT"));
        assert!(has(On::Table, "calls", "UPDATE"));
        assert!(has(On::Table, "catalog_state", "DELETE"));
        assert!(has(On::Table, "record_rules", "SELECT"));
        assert!(has(On::Sequence, "phone_links_id_seq", "USAGE"));
        assert!(!has(On::Table, "journal", "UPDATE"));
        assert!(!has(On::Table, "journal", "DELETE"));
        assert!(!has(On::Table, "calls", "DELETE"));
        assert!(!has(On::Table, "record_rules", "UPDATE"));
        assert!(!has(On::Schema, "", "CREATE"));
    }
}
