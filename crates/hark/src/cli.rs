//! The command-line surface (clap derive). Flags here only override configuration values;
//! loading and layering happen in [`crate::config`].

use crate::config::{LogFormat, Overrides};
use clap::{Args, Parser, Subcommand};
use hark_core::users::Role;
use hark_core::SourceKind;
use std::path::PathBuf;

mod webhooks;
pub use webhooks::WebhookCommand;

/// hark: self-hosted AI feedback server.
#[derive(Debug, Parser)]
#[command(name = "hark", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server until SIGINT/SIGTERM.
    Serve(ServeArgs),
    /// Manage projects, sources, applications, access keys, users and webhook endpoints (works
    /// while a server runs on the same database).
    Admin(AdminArgs),
    /// Zero-setup first run: create (or reuse) a "demo" project, webhook source, application
    /// and access key, print the credentials, a curl command and a boto3 snippet, then serve
    /// like `serve`.
    Demo(ServeArgs),
    /// Measure analysis quality on labelled CSV files (Mini-BAR, URR, banking77 or
    /// `text,category`), each figure beside a simple baseline computed in the same run.
    Eval(EvalArgs),
    /// Re-analyse every item and chat comment of a project now (progress bar), then re-cluster
    /// its themes; works while a server runs on the same database.
    Analyze(AnalyzeArgs),
    /// Import labelled examples (CSV: `text,category`, or Mini-BAR columns) into a project; its
    /// category classifier learns from them.
    Train(TrainArgs),
    /// Write one project, every row of it, as JSON Lines (to stdout, or a file) for `hark import`
    /// into another database, SQLite or PostgreSQL. Access-key secrets stay sealed under this
    /// deployment's master key: the target deployment needs the same key.
    Export(ExportArgs),
    /// Read a project written by `hark export` (from stdin, or a file) into the database, all
    /// or nothing; refuses a project the database has already.
    Import(ImportArgs),
    /// Load feedback from a CSV file into a source of a project (idempotent: importing the
    /// same file again updates, never duplicates).
    ///
    /// Each row becomes one item, shaped like the ingest API's simple-feedback example: the
    /// text column is the item's body; `author`, `email`, `user` (the customer's user id),
    /// `url` and `created_at` columns fill the item's fields; no conversation parts. Columns
    /// are found by header name, ignoring case; other columns are ignored (listed once on
    /// stderr). An empty cell is a field left out.
    ///
    /// Rows obey exactly the ingest API's rules (validated by the same code): e.g. text at
    /// most 20,000 characters, a valid absolute URL and email, `created_at` an ISO 8601 /
    /// RFC 3339 date-time (2026-03-15T10:30:00Z; unix seconds are refused, as by the API).
    /// A row that breaks them is counted as failed and the import goes on; a row with blank
    /// text is skipped. The item's unique_id is the `unique_id` column's, else
    /// `<FILE NAME>#<ROW>` (ROW = 1 for the first row after the header; `--id-prefix`
    /// replaces the file name), so re-importing a file finds the items it stored before.
    ///
    /// Prints `{"rows", "stored", "created", "failed", "skipped_empty", "errors"}` on stdout
    /// (the first errors, with line numbers); progress goes to stderr. Any source type of the
    /// project is accepted (an `import` source is meant for this).
    ImportCsv(ImportCsvArgs),
    /// Apply the database's pending schema migrations (hark also does at start-up) and print
    /// the schema version and how many were applied.
    Migrate(MigrateArgs),
    /// Serve one project's read-only MCP tools (search feedback, themes, AI-answer quality) to
    /// a desktop AI assistant that starts hark as a child process: MCP on stdin/stdout, logs
    /// on stderr. Search is by words until the model has loaded (a few seconds), then hybrid.
    /// (`hark serve` offers the same tools over Streamable HTTP at `/mcp`.)
    Mcp(McpArgs),
}

/// Options of `hark export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Configuration and database.
    #[command(flatten)]
    pub store: StoreArgs,
    /// The project's id.
    #[arg(long, value_name = "ID")]
    pub project: String,
    /// Write to this file (replaced once the export is complete) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Options of `hark import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Configuration and database.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Read this file instead of stdin.
    #[arg(long = "in", value_name = "FILE")]
    pub input: Option<PathBuf>,
}

/// Options of `hark import-csv`.
#[derive(Debug, Args)]
pub struct ImportCsvArgs {
    /// Configuration and database.
    #[command(flatten)]
    pub store: StoreArgs,
    /// The project's id.
    #[arg(long, value_name = "ID")]
    pub project: String,
    /// The source's id (a source of that project).
    #[arg(long, value_name = "ID")]
    pub source: String,
    /// Which columns hold what.
    #[command(flatten)]
    pub columns: CsvColumns,
    /// Prefix of the derived unique ids, `<PREFIX>#<ROW>` (default: the file's name); give
    /// one when different files share a name.
    #[arg(long, value_name = "PREFIX")]
    pub id_prefix: Option<String>,
    /// Rows per store call (each call is committed before the next starts).
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub batch_size: u32,
    /// The CSV file: comma-separated, a header row first, UTF-8 (invalid bytes become U+FFFD).
    #[arg(value_name = "FILE.csv")]
    pub file: PathBuf,
}

/// The header names `hark import-csv` looks for. An optional column named here must exist; at
/// its default name it may be absent.
#[derive(Debug, Clone, Args)]
pub struct CsvColumns {
    /// Column of the feedback text (required), e.g. `review`, `data` (Mini-BAR) or
    /// `reviewText` (URR).
    #[arg(long, value_name = "NAME", default_value = "text")]
    pub text_column: String,
    /// Column of the author's display name [default: author].
    #[arg(long, value_name = "NAME")]
    pub author_column: Option<String>,
    /// Column of the author's email [default: email].
    #[arg(long, value_name = "NAME")]
    pub email_column: Option<String>,
    /// Column of the customer's user id in the product [default: user].
    #[arg(long, value_name = "NAME")]
    pub user_column: Option<String>,
    /// Column of a link to the feedback [default: url].
    #[arg(long, value_name = "NAME")]
    pub url_column: Option<String>,
    /// Column of the date-time the feedback was written, ISO 8601 [default: created_at].
    #[arg(long, value_name = "NAME")]
    pub created_at_column: Option<String>,
    /// Column of the sender's stable id of each row [default: unique_id].
    #[arg(long, value_name = "NAME")]
    pub unique_id_column: Option<String>,
}

/// Options of `hark migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Configuration and database.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Options of `hark mcp`.
#[derive(Debug, Args)]
pub struct McpArgs {
    /// Configuration and database.
    #[command(flatten)]
    pub store: StoreArgs,
    /// The project whose data the tools read (and no other).
    #[arg(long, value_name = "ID")]
    pub project: String,
    /// Speak MCP on stdin/stdout (required: the one transport of this command).
    #[arg(long, required = true)]
    pub stdio: bool,
}

/// Options of `hark analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Configuration and database.
    #[command(flatten)]
    pub store: StoreArgs,
    /// The project's id.
    #[arg(long)]
    pub project: String,
}

/// Options of `hark train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Configuration and database.
    #[command(flatten)]
    pub store: StoreArgs,
    /// The project's id.
    #[arg(long)]
    pub project: String,
    /// The labelled CSV file.
    pub file: PathBuf,
}

/// Options of `hark eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Folder of the embedding model (config.json, tokenizer.json, model.safetensors).
    #[arg(long, value_name = "DIR", default_value = "hark-data/model")]
    pub model: PathBuf,
    /// Files with category labels: each is scored zero-shot, and (with several files) again
    /// after learning from the other files' labels.
    #[arg(long, value_name = "CSV", num_args = 1.., value_delimiter = ',')]
    pub categories: Vec<PathBuf>,
    /// Files with star ratings: sentiment agreement with the stars (zero-shot, the shipped
    /// head, and a head learned from --sentiment-train leaving out the tested file's apps).
    #[arg(long, value_name = "CSV", num_args = 1.., value_delimiter = ',')]
    pub sentiment: Vec<PathBuf>,
    /// Star-rated files a sentiment head learns from (files with an `app` column: rows about
    /// a tested file's apps are left out when scoring that file).
    #[arg(long, value_name = "CSV", num_args = 1.., value_delimiter = ',')]
    pub sentiment_train: Vec<PathBuf>,
    /// Train a sentiment head on every --sentiment-train row and write it here as JSON (what
    /// hark ships as crates/hark-analysis/src/sentiment/minilm.json).
    #[arg(long, value_name = "FILE", requires = "sentiment_train")]
    pub write_sentiment_head: Option<PathBuf>,
    /// Files with a free label per row (intents): theme clustering against the labels (NMI/ARI).
    #[arg(long, value_name = "CSV", num_args = 1.., value_delimiter = ',')]
    pub themes: Vec<PathBuf>,
    /// Corpus sizes the themes are scored at (random subsets; a size at or above the file's
    /// rows is the whole file).
    #[arg(long, value_name = "N", num_args = 1.., value_delimiter = ',', default_value = "1000,3000,1000000")]
    pub theme_sizes: Vec<usize>,
}

/// Options that locate the configuration and the database; shared by every command.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// TOML configuration file (default: $HARK_CONFIG, else none).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Database URL (default: sqlite://<data-dir>/hark.db).
    #[arg(long, value_name = "URL", global = true)]
    pub database: Option<String>,
    /// Directory of the default SQLite database (default: ./hark-data).
    #[arg(long, value_name = "DIR", global = true)]
    pub data_dir: Option<PathBuf>,
}

/// Options of `serve` and `demo`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Configuration and database.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Address to listen on, `host:port` (port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Bearer token enabling the admin HTTP API (prefer HARK_ADMIN_TOKEN: flags show in `ps`).
    #[arg(long, value_name = "TOKEN")]
    pub admin_token: Option<String>,
    /// Shape of log lines on stderr.
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Log filter, e.g. `info` or `hark=debug,info`.
    #[arg(long, value_name = "FILTER")]
    pub log_level: Option<String>,
}

/// `hark admin …`.
#[derive(Debug, Args)]
pub struct AdminArgs {
    /// Configuration and database.
    #[command(flatten)]
    pub store: StoreArgs,
    /// The admin operation.
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// The admin operations; each prints JSON on stdout.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a project; prints its id, name, API key and secret key (shown only now).
    CreateProject {
        /// Display name.
        name: String,
    },
    /// Create a source of a project.
    CreateSource {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// `webhook` (filled by the ingest API) or `import`.
        #[arg(long = "type", value_name = "TYPE", default_value = "webhook", value_parser = parse_source_kind)]
        kind: SourceKind,
    },
    /// List all projects (without secrets).
    ListProjects,
    /// List the sources of a project.
    ListSources {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
    },
    /// Give a project a new secret key; the old one stops working at once.
    RotateSecret {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
    },
    /// Register an AI assistant application of a project (for chat-answer feedback); prints
    /// its id, the `applicationId` of PutFeedback calls.
    CreateApp {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Refuse feedback on conversations and messages never recorded (404) instead of
        /// creating them.
        #[arg(long)]
        strict: bool,
    },
    /// List the applications of a project.
    ListApps {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
    },
    /// Issue a SigV4 access key of a project; prints the secret access key (shown only now).
    CreateAccessKey {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
    },
    /// List the access keys of a project (without secrets, revoked ones included).
    ListAccessKeys {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
    },
    /// Revoke an access key; a running server refuses it within 2 seconds.
    RevokeAccessKey {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
        /// The access key id (`HKIA…`).
        #[arg(long, value_name = "KEY")]
        key: String,
    },
    /// Create a dashboard user of a project; prints `{"user_id", "email", "role", "password"}`
    /// with a generated one-time password (shown only now), or uses the password read from
    /// stdin with `--password-stdin` (then `password` is not printed).
    CreateUser {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
        /// Sign-in address; one user per address on the server.
        #[arg(long, value_name = "E")]
        email: String,
        /// `viewer` (reads), `editor` (also curates themes and categories) or `admin` (also
        /// sources, apps, keys and users).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Read the password (at least 12 characters) from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the dashboard users of a project (without passwords).
    ListUsers {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
    },
    /// Change a dashboard user's role (effective on the user's next request).
    SetRole {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
        /// The user's id (`usr_…`).
        #[arg(long, value_name = "USER")]
        user: String,
        /// The new role.
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Delete a dashboard user; its sessions end at once.
    DeleteUser {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
        /// The user's id (`usr_…`).
        #[arg(long, value_name = "USER")]
        user: String,
    },
    /// Webhook endpoints: create-webhook, list-webhooks, delete-webhook,
    /// rotate-webhook-secret, enable-webhook, disable-webhook.
    #[command(flatten)]
    Webhook(WebhookCommand),
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "must be one of viewer, editor, admin".to_string())
}

fn parse_source_kind(s: &str) -> Result<SourceKind, String> {
    s.parse()
}

impl StoreArgs {
    /// The configuration overrides these flags carry.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            data_dir: self.data_dir.clone(),
            database_url: self.database.clone(),
            ..Overrides::default()
        }
    }
}

impl ServeArgs {
    /// The configuration overrides these flags carry.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            listen: self.listen.clone(),
            admin_token: self.admin_token.clone(),
            log_format: self.log_format,
            log_level: self.log_level.clone(),
            ..self.store.overrides()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn admin_options_go_before_or_after_the_operation() {
        for args in [
            [
                "hark",
                "admin",
                "--database",
                "sqlite://x.db",
                "list-projects",
            ],
            [
                "hark",
                "admin",
                "list-projects",
                "--database",
                "sqlite://x.db",
            ],
        ] {
            let cli = Cli::try_parse_from(args).expect("parses");
            let Command::Admin(admin) = cli.command else {
                panic!("admin expected")
            };
            assert_eq!(admin.store.database.as_deref(), Some("sqlite://x.db"));
        }
    }

    #[test]
    fn source_type_defaults_to_webhook_and_rejects_others() {
        let cli = Cli::try_parse_from([
            "hark",
            "admin",
            "create-source",
            "--project",
            "prj_x",
            "--name",
            "n",
        ])
        .expect("parses");
        let Command::Admin(AdminArgs {
            command: AdminCommand::CreateSource { kind, .. },
            ..
        }) = cli.command
        else {
            panic!("create-source expected")
        };
        assert_eq!(kind, SourceKind::Webhook);
        assert!(Cli::try_parse_from([
            "hark",
            "admin",
            "create-source",
            "--project",
            "p",
            "--name",
            "n",
            "--type",
            "rss",
        ])
        .is_err());
    }

    #[test]
    fn chat_admin_commands_parse() {
        let parse = |args: &[&str]| {
            let mut all = vec!["hark", "admin"];
            all.extend_from_slice(args);
            match Cli::try_parse_from(all).map(|c| c.command) {
                Ok(Command::Admin(admin)) => Some(admin.command),
                _ => None,
            }
        };
        assert!(matches!(
            parse(&["create-app", "--project", "p", "--name", "n", "--strict"]),
            Some(AdminCommand::CreateApp { strict: true, .. })
        ));
        assert!(matches!(
            parse(&["create-app", "--project", "p", "--name", "n"]),
            Some(AdminCommand::CreateApp { strict: false, .. })
        ));
        assert!(matches!(
            parse(&["revoke-access-key", "--project", "p", "--key", "HKIA1"]),
            Some(AdminCommand::RevokeAccessKey { .. })
        ));
        assert!(parse(&["revoke-access-key", "--project", "p"]).is_none());
        assert!(parse(&["create-access-key"]).is_none());
    }

    #[test]
    fn webhook_commands_parse() {
        let parse = |args: &[&str]| {
            let mut all = vec!["hark", "admin"];
            all.extend_from_slice(args);
            match Cli::try_parse_from(all).map(|c| c.command) {
                Ok(Command::Admin(AdminArgs {
                    command: AdminCommand::Webhook(w),
                    ..
                })) => Some(w),
                _ => None,
            }
        };
        let created = parse(&[
            "create-webhook",
            "--project",
            "p",
            "--url",
            "https://example.com/h",
            "--events",
            "theme.created,theme.rising",
        ]);
        assert!(
            matches!(
                created,
                Some(WebhookCommand::CreateWebhook { ref events, kind: hark_core::webhooks::EndpointKind::Standard, filter_json: None, .. })
                    if events == &["theme.created", "theme.rising"]
            ),
            "{created:?}"
        );
        assert!(parse(&["create-webhook", "--project", "p", "--url", "u"]).is_none());
        assert!(parse(&[
            "create-webhook",
            "--project",
            "p",
            "--url",
            "u",
            "--events",
            "x",
            "--kind",
            "teams"
        ])
        .is_none());
        assert!(matches!(
            parse(&["disable-webhook", "--project", "p", "--webhook", "whk_1"]),
            Some(WebhookCommand::DisableWebhook { .. })
        ));
        assert!(parse(&["rotate-webhook-secret", "--project", "p"]).is_none());
    }

    #[test]
    fn transfer_commands_parse() {
        let cli = Cli::try_parse_from(["hark", "export", "--project", "prj_x", "--out", "p.jsonl"])
            .expect("parses");
        let Command::Export(args) = cli.command else {
            panic!("export expected")
        };
        assert_eq!(args.project, "prj_x");
        assert_eq!(args.out, Some(PathBuf::from("p.jsonl")));
        let cli = Cli::try_parse_from(["hark", "import", "--in", "p.jsonl", "--database", "x"])
            .expect("parses");
        let Command::Import(args) = cli.command else {
            panic!("import expected")
        };
        assert_eq!(args.input, Some(PathBuf::from("p.jsonl")));
        assert_eq!(args.store.database.as_deref(), Some("x"));
        assert!(matches!(
            Cli::try_parse_from(["hark", "import"]).map(|c| c.command),
            Ok(Command::Import(ImportArgs { input: None, .. }))
        ));
        assert!(Cli::try_parse_from(["hark", "export"]).is_err());
        assert!(matches!(
            Cli::try_parse_from(["hark", "migrate"]).map(|c| c.command),
            Ok(Command::Migrate(_))
        ));
    }

    #[test]
    fn import_csv_parses_with_default_columns_and_refuses_a_zero_batch() {
        let cli = Cli::try_parse_from([
            "hark",
            "import-csv",
            "--project",
            "prj_x",
            "--source",
            "src_y",
            "f.csv",
        ])
        .expect("parses");
        let Command::ImportCsv(args) = cli.command else {
            panic!("import-csv expected")
        };
        assert_eq!(args.columns.text_column, "text");
        assert_eq!(args.columns.author_column, None);
        assert_eq!(args.batch_size, 500);
        assert_eq!(args.file, PathBuf::from("f.csv"));
        let with = |extra: &[&str]| {
            let mut all = vec!["hark", "import-csv", "--project", "p", "--source", "s"];
            all.extend_from_slice(extra);
            all.push("f.csv");
            Cli::try_parse_from(all).map(|c| c.command)
        };
        assert!(matches!(
            with(&["--text-column", "review", "--created-at-column", "date"]),
            Ok(Command::ImportCsv(ImportCsvArgs { columns: CsvColumns { ref text_column, created_at_column: Some(ref c), .. }, .. })) if text_column == "review" && c == "date"
        ));
        assert!(with(&["--batch-size", "0"]).is_err());
        assert!(Cli::try_parse_from(["hark", "import-csv", "--project", "p", "f.csv"]).is_err());
    }

    #[test]
    fn mcp_needs_stdio_and_a_project() {
        let cli = Cli::try_parse_from([
            "hark",
            "mcp",
            "--stdio",
            "--project",
            "prj_x",
            "--data-dir",
            "/d",
        ])
        .expect("parses");
        let Command::Mcp(args) = cli.command else {
            panic!("mcp expected")
        };
        assert!(args.stdio);
        assert_eq!(args.project, "prj_x");
        assert_eq!(args.store.data_dir, Some(PathBuf::from("/d")));
        assert!(Cli::try_parse_from(["hark", "mcp", "--project", "prj_x"]).is_err());
        assert!(Cli::try_parse_from(["hark", "mcp", "--stdio"]).is_err());
    }

    #[test]
    fn serve_flags_become_overrides() {
        let cli = Cli::try_parse_from([
            "hark",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--data-dir",
            "/d",
        ])
        .expect("parses");
        let Command::Serve(args) = cli.command else {
            panic!("serve expected")
        };
        let o = args.overrides();
        assert_eq!(o.listen.as_deref(), Some("127.0.0.1:0"));
        assert_eq!(o.log_format, Some(LogFormat::Json));
        assert_eq!(o.data_dir, Some(PathBuf::from("/d")));
        assert_eq!(o.admin_token, None);
    }
}
