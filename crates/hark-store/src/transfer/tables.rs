//! The tables an export holds, their columns and what each column's value means, in the order
//! they are exported and imported. Both backends have these tables with these columns (see
//! `sqlite/schema.rs` and `postgres/schema.rs`); a column added to the schema must be added
//! here too, or exports lose it.

/// How a column's values are typed in an export (and bound in either backend).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `INTEGER` / `BIGINT`: a JSON integer.
    Int,
    /// `REAL` / `DOUBLE PRECISION`: a JSON number, read back bit for bit.
    Real,
    /// `TEXT`: a JSON string.
    Text,
    /// SQLite `INTEGER` 0/1 / PostgreSQL `BOOLEAN`: a JSON boolean.
    Bool,
    /// `BLOB` / `BYTEA`: a base64 string.
    Bytes,
}

/// A space of integer row ids the target store assigns anew, which other rows refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Space {
    /// `items.id` (item subjects of the analysis).
    Items,
    /// `parts.id`.
    Parts,
    /// `chat_messages.id`.
    Messages,
    /// `chat_feedback.id` (chat subjects of the analysis).
    Feedback,
}

impl Space {
    /// The name used in error messages.
    pub fn table(self) -> &'static str {
        match self {
            Space::Items => "items",
            Space::Parts => "parts",
            Space::Messages => "chat_messages",
            Space::Feedback => "chat_feedback",
        }
    }

    /// The space of an analysis subject kind (`subject_kind` columns); `None` for an unknown
    /// kind. The kinds are the domain's ([`hark_core::analysis::Subject`]).
    pub fn of_subject_kind(kind: &str) -> Option<Space> {
        use hark_core::analysis::Subject;
        match Subject::from_parts(kind, 0)? {
            Subject::Item(_) => Some(Space::Items),
            Subject::Chat(_) => Some(Space::Feedback),
        }
    }
}

/// What an import does with a column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Copied as it is.
    Plain,
    /// The project's id: must be the exported project's (checked, then copied).
    Project,
    /// The row's own integer id: not inserted (the target assigns one); remembered in the
    /// space, when rows of other tables refer to it.
    Id(Option<Space>),
    /// A reference to a row of the space: rewritten to the target's id. Null stays null.
    Ref(Space),
    /// A queue row's subject: rewritten like [`Role::Ref`], but a row whose subject is not in
    /// the export is dropped instead of failing the import, as a claim would drop it.
    QueueSubject(Space),
    /// An analysis subject id, in the space its row's `subject_kind` names: rewritten.
    Subject,
}

/// One column.
#[derive(Debug)]
pub struct Column {
    /// The column's name in both schemas (and the key in an export row).
    pub name: &'static str,
    /// How its values are typed.
    pub kind: Kind,
    /// What an import does with it.
    pub role: Role,
}

/// Which rows of a table belong to the project.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// The row whose `id` is the project's (the `projects` table).
    ProjectRow,
    /// Rows whose `project_id` is the project's.
    ProjectId,
    /// Rows whose `item_id` is an item of the project (`parts`, which has no `project_id`).
    ItemsOfProject,
}

/// One table of an export.
#[derive(Debug)]
pub struct Table {
    /// Its name in both schemas.
    pub name: &'static str,
    /// Which rows belong to the project.
    pub scope: Scope,
    /// The export order: these columns ascending, so every export of the same data is the
    /// same, and rows keep their relative order in the target (ids are assigned in this order).
    pub order: &'static [&'static str],
    /// Every column of the table.
    pub columns: &'static [Column],
}

const fn plain(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        role: Role::Plain,
    }
}

const fn project(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Text,
        role: Role::Project,
    }
}

const fn own_id(space: Option<Space>) -> Column {
    Column {
        name: "id",
        kind: Kind::Int,
        role: Role::Id(space),
    }
}

const fn reference(name: &'static str, space: Space) -> Column {
    Column {
        name,
        kind: Kind::Int,
        role: Role::Ref(space),
    }
}

const fn queue_subject(space: Space) -> Column {
    Column {
        name: "subject_id",
        kind: Kind::Int,
        role: Role::QueueSubject(space),
    }
}

const fn subject_id() -> Column {
    Column {
        name: "subject_id",
        kind: Kind::Int,
        role: Role::Subject,
    }
}

use Kind::{Bool, Bytes, Int, Real, Text};

/// The columns of both analysis queue tables.
const QUEUE_ITEMS: &[Column] = &[
    queue_subject(Space::Items),
    project("project_id"),
    plain("generation", Int),
    plain("lease_until", Int),
];

/// See [`QUEUE_ITEMS`].
const QUEUE_CHAT: &[Column] = &[
    queue_subject(Space::Feedback),
    project("project_id"),
    plain("generation", Int),
    plain("lease_until", Int),
];

/// Every table of a project, in dependency order: a row only refers to rows of tables before
/// its own (themes come before the mentions linked to them).
/// Tables added to format version 1 after exports were first written: an export from an older
/// hark has no such table in its header (nor rows of it), and imports it as empty. Only
/// these: any other table missing from a header means a broken or foreign export.
pub const ADDED_TABLES: &[&str] = &["users", "broad_themes", "project_analysis_settings"];

pub static TABLES: &[Table] = &[
    Table {
        name: "projects",
        scope: Scope::ProjectRow,
        order: &["id"],
        columns: &[
            project("id"),
            plain("name", Text),
            plain("api_key", Text),
            plain("secret_hash", Text),
            plain("created_at", Int),
        ],
    },
    Table {
        name: "sources",
        scope: Scope::ProjectId,
        order: &["id"],
        columns: &[
            plain("id", Text),
            project("project_id"),
            plain("name", Text),
            plain("kind", Text),
            plain("created_at", Int),
        ],
    },
    Table {
        name: "items",
        scope: Scope::ProjectId,
        order: &["id"],
        columns: &[
            own_id(Some(Space::Items)),
            project("project_id"),
            plain("source_id", Text),
            plain("unique_id", Text),
            plain("body", Text),
            plain("author", Text),
            plain("email", Text),
            plain("user_id", Text),
            plain("url", Text),
            plain("created_at", Int),
            plain("received_at", Int),
            plain("updated_at", Int),
            plain("parts_count", Int),
        ],
    },
    Table {
        name: "parts",
        scope: Scope::ItemsOfProject,
        order: &["id"],
        columns: &[
            own_id(Some(Space::Parts)),
            reference("item_id", Space::Items),
            plain("source_id", Text),
            plain("unique_id", Text),
            plain("body", Text),
            plain("author", Text),
            plain("email", Text),
            plain("user_id", Text),
            plain("url", Text),
            plain("created_at", Int),
        ],
    },
    Table {
        name: "applications",
        scope: Scope::ProjectId,
        order: &["id"],
        columns: &[
            plain("id", Text),
            project("project_id"),
            plain("name", Text),
            plain("strict", Bool),
            plain("created_at", Int),
        ],
    },
    Table {
        name: "access_keys",
        scope: Scope::ProjectId,
        order: &["id"],
        columns: &[
            plain("id", Text),
            project("project_id"),
            plain("sealed_secret", Bytes),
            plain("created_at", Int),
            plain("revoked_at", Int),
        ],
    },
    // Dashboard users move with their project, password hashes included (hashes, as the
    // project's secret is). Their sessions do not: a moved project's users sign in again.
    Table {
        name: "users",
        scope: Scope::ProjectId,
        order: &["id"],
        columns: &[
            plain("id", Text),
            project("project_id"),
            plain("email", Text),
            plain("role", Text),
            plain("password_hash", Text),
            plain("created_at", Int),
        ],
    },
    // Webhook endpoints move with their project, secrets sealed as the access keys' are (the
    // target server needs the same master key to sign with them). Their outbox (events,
    // deliveries, attempts) does not: it is this deployment's delivery state.
    Table {
        name: "webhook_endpoints",
        scope: Scope::ProjectId,
        order: &["id"],
        columns: &[
            plain("id", Text),
            project("project_id"),
            plain("url", Text),
            plain("kind", Text),
            plain("events", Text),
            plain("filter", Text),
            plain("description", Text),
            plain("state", Text),
            plain("disabled_reason", Text),
            plain("failing_since", Int),
            plain("secret", Bytes),
            plain("previous_secret", Bytes),
            plain("previous_until", Int),
            plain("created_at", Int),
            plain("updated_at", Int),
        ],
    },
    Table {
        name: "chat_messages",
        scope: Scope::ProjectId,
        order: &["id"],
        columns: &[
            own_id(Some(Space::Messages)),
            project("project_id"),
            plain("application_id", Text),
            plain("conversation_id", Text),
            plain("message_id", Text),
            plain("role", Text),
            plain("text", Text),
            plain("user_id", Text),
            plain("created_at", Int),
            plain("sources", Text),
        ],
    },
    Table {
        name: "chat_feedback",
        scope: Scope::ProjectId,
        order: &["id"],
        columns: &[
            own_id(Some(Space::Feedback)),
            reference("message_row", Space::Messages),
            project("project_id"),
            plain("application_id", Text),
            plain("conversation_id", Text),
            plain("message_id", Text),
            plain("user_key", Text),
            plain("usefulness", Text),
            plain("reason", Text),
            plain("comment", Text),
            plain("submitted_at", Int),
            plain("copied_at", Int),
            plain("event_at", Int),
            plain("received_at", Int),
            plain("updated_at", Int),
        ],
    },
    Table {
        name: "analysis_queue_items",
        scope: Scope::ProjectId,
        order: &["subject_id"],
        columns: QUEUE_ITEMS,
    },
    Table {
        name: "analysis_queue_chat",
        scope: Scope::ProjectId,
        order: &["subject_id"],
        columns: QUEUE_CHAT,
    },
    Table {
        name: "themes",
        scope: Scope::ProjectId,
        order: &["id"],
        columns: &[
            plain("id", Text),
            project("project_id"),
            plain("label", Text),
            plain("name", Text),
            plain("key_phrases", Text),
            plain("quotes", Text),
            plain("pinned", Bool),
            plain("centroid", Bytes),
            plain("created_at", Int),
            plain("updated_at", Int),
        ],
    },
    Table {
        name: "project_analysis_settings",
        scope: Scope::ProjectId,
        order: &["project_id"],
        columns: &[project("project_id"), plain("theme_granularity", Text)],
    },
    Table {
        name: "broad_themes",
        scope: Scope::ProjectId,
        order: &["id"],
        columns: &[
            plain("id", Text),
            project("project_id"),
            plain("label", Text),
            plain("key_phrases", Text),
            plain("children", Text),
            plain("centroid", Bytes),
            plain("created_at", Int),
            plain("updated_at", Int),
        ],
    },
    Table {
        name: "mentions",
        scope: Scope::ProjectId,
        order: &["id"],
        columns: &[
            own_id(None),
            project("project_id"),
            plain("subject_kind", Text),
            subject_id(),
            reference("part_id", Space::Parts),
            plain("ordinal", Int),
            plain("text", Text),
            plain("user_key", Text),
            plain("source_id", Text),
            plain("created_at", Int),
            plain("sentiment", Real),
            plain("category", Text),
            plain("confidence", Real),
            plain("theme_id", Text),
            plain("theme_similarity", Real),
            plain("embedding", Bytes),
        ],
    },
    Table {
        name: "subject_analysis",
        scope: Scope::ProjectId,
        order: &["subject_kind", "subject_id"],
        columns: &[
            plain("subject_kind", Text),
            subject_id(),
            project("project_id"),
            plain("sentiment", Real),
            plain("category", Text),
            plain("confidence", Real),
            plain("category_source", Text),
            plain("analyzed_at", Int),
        ],
    },
    Table {
        name: "labelled_examples",
        scope: Scope::ProjectId,
        order: &["id"],
        columns: &[
            own_id(None),
            project("project_id"),
            plain("text", Text),
            plain("category", Text),
            plain("origin", Text),
            plain("embedding", Bytes),
            plain("subject_kind", Text),
            subject_id(),
            plain("created_at", Int),
        ],
    },
];

impl Table {
    /// The index of the row's own integer id column, if it has one.
    pub fn id_column(&self) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| matches!(c.role, Role::Id(_)))
    }

    /// The index of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The columns an import inserts: all but the own id, in table order.
    pub fn insert_columns(&self) -> impl Iterator<Item = &Column> {
        self.columns
            .iter()
            .filter(|c| !matches!(c.role, Role::Id(_)))
    }

    /// `SELECT` of every column of the project's rows in export order. `param` is the
    /// backend's placeholder of the project id; `text_collation` is appended to text order
    /// columns, so both backends order text by bytes (SQLite's default `BINARY`).
    pub fn select_sql(&self, param: &str, text_collation: &str) -> String {
        let columns: Vec<&str> = self.columns.iter().map(|c| c.name).collect();
        let scope = match self.scope {
            Scope::ProjectRow => format!("id = {param}"),
            Scope::ProjectId => format!("project_id = {param}"),
            Scope::ItemsOfProject => {
                format!("item_id IN (SELECT id FROM items WHERE project_id = {param})")
            }
        };
        let order: Vec<String> = self
            .order
            .iter()
            .map(|name| {
                let text = self
                    .column(name)
                    .is_some_and(|i| self.columns[i].kind == Kind::Text);
                if text {
                    format!("{name}{text_collation}")
                } else {
                    (*name).to_string()
                }
            })
            .collect();
        format!(
            "SELECT {} FROM {} WHERE {scope} ORDER BY {}",
            columns.join(", "),
            self.name,
            order.join(", ")
        )
    }

    /// `INSERT` of [`Table::insert_columns`], with `placeholder(n)` for the n-th value (from 1).
    pub fn insert_sql(&self, placeholder: impl Fn(usize) -> String) -> String {
        let columns: Vec<&str> = self.insert_columns().map(|c| c.name).collect();
        let values: Vec<String> = (1..=columns.len()).map(placeholder).collect();
        format!(
            "INSERT INTO {} ({}) VALUES ({})",
            self.name,
            columns.join(", "),
            values.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_point_to_earlier_tables() {
        let position = |space: Space| {
            TABLES
                .iter()
                .position(|t| t.columns.iter().any(|c| c.role == Role::Id(Some(space))))
        };
        for (i, table) in TABLES.iter().enumerate() {
            for column in table.columns {
                if let Role::Ref(space) | Role::QueueSubject(space) = column.role {
                    assert!(position(space).is_some_and(|p| p < i), "{}", table.name);
                }
            }
            for name in table.order {
                assert!(table.column(name).is_some(), "{}.{name}", table.name);
            }
        }
        assert_eq!(TABLES[0].name, "projects");
    }

    #[test]
    fn sql_lists_every_column() {
        let parts = &TABLES[3];
        assert_eq!(
            parts.select_sql("?1", ""),
            "SELECT id, item_id, source_id, unique_id, body, author, email, user_id, url, \
             created_at FROM parts WHERE item_id IN (SELECT id FROM items WHERE project_id = ?1) \
             ORDER BY id"
        );
        assert_eq!(
            TABLES[1].select_sql("$1", " COLLATE \"C\""),
            "SELECT id, project_id, name, kind, created_at FROM sources WHERE project_id = $1 \
             ORDER BY id COLLATE \"C\""
        );
        assert_eq!(
            parts.insert_sql(|n| format!("${n}")),
            "INSERT INTO parts (item_id, source_id, unique_id, body, author, email, user_id, \
             url, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        );
    }
}
