//! Command-line arguments (clap) and the commands, as thin shells over the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::Error;
use crate::source::postgres::{self, ConnectOptions, IntrospectOptions, Progress};
use crate::source::yaml;

/// Plans safe, phased PostgreSQL schema changes.
#[derive(Debug, Parser)]
#[command(name = "pgphase", version, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the live schema as a desired-schema YAML file (the way to start one).
    Snapshot(SnapshotArgs),
    /// Start a throwaway PostgreSQL with the demo shop database and show its snapshot.
    Demo,
}

/// How to reach the database. Unset parts come from libpq's environment variables
/// (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGSSLMODE…) and ~/.pgpass.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// A connection URL or libpq conninfo string.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Give up connecting after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub connect_timeout: u64,
    /// Cancel any catalog query that runs longer than this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub statement_timeout: u64,
    /// Read only these schemas (repeatable). Default: every user schema.
    #[arg(long = "include-schema", value_name = "SCHEMA")]
    pub include_schemas: Vec<String>,
    /// Leave out these schemas (repeatable).
    #[arg(long = "exclude-schema", value_name = "SCHEMA")]
    pub exclude_schemas: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// What a successful command reports to the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done; nothing to report.
    Done,
}

/// Runs a parsed command.
///
/// # Errors
/// Any [`Error`]; the binary prints it and exits with code 2.
pub async fn run(cli: Cli) -> Result<Outcome, Error> {
    match cli.command {
        Command::Snapshot(args) => snapshot(args).await,
        Command::Demo => demo().await,
    }
}

async fn demo() -> Result<Outcome, Error> {
    let demo = crate::demo::start(&mut |step| eprintln!("{step}…")).await?;
    let connect = ConnectOptions {
        database_url: Some(demo.url.clone()),
        ..ConnectOptions::default()
    };
    let live = postgres::read_live(&connect, &IntrospectOptions::default(), &mut |_| {}).await?;
    let text = yaml::write(&live.schema);
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(|source| Error::Io {
            path: PathBuf::from("<stdout>"),
            source,
        })?;
    eprintln!(
        "This is the demo database's schema in pgphase's YAML format, as `pgphase snapshot` writes it.\n\
         The throwaway PostgreSQL is removed now."
    );
    demo.cluster.stop()?;
    Ok(Outcome::Done)
}

async fn snapshot(args: SnapshotArgs) -> Result<Outcome, Error> {
    let live = read_live(&args.connection).await?;
    let text = yaml::write(&live.schema);
    match &args.output {
        Some(path) => crate::output::write_file_atomically(path, text.as_bytes())?,
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|source| Error::Io {
                path: PathBuf::from("<stdout>"),
                source,
            })?,
    }
    Ok(Outcome::Done)
}

/// Connects and reads the live schema, showing progress on a terminal.
async fn read_live(args: &ConnectionArgs) -> Result<postgres::Introspection, Error> {
    let connect = ConnectOptions {
        database_url: args.database_url.clone(),
        connect_timeout: Some(Duration::from_secs(args.connect_timeout)),
        statement_timeout: Some(Duration::from_secs(args.statement_timeout)),
    };
    let options = IntrospectOptions {
        include_schemas: args.include_schemas.clone(),
        exclude_schemas: args.exclude_schemas.clone(),
    };
    let show_progress = std::io::stderr().is_terminal();
    let mut report = |p: Progress| {
        if show_progress {
            eprint!(
                "\r\x1b[2Kreading {} ({}/{} queries, {} rows)",
                p.step, p.finished_queries, p.total_queries, p.rows_read
            );
        }
    };
    let result = postgres::read_live(&connect, &options, &mut report).await;
    if show_progress {
        eprint!("\r\x1b[2K");
    }
    if let Ok(live) = &result {
        for note in &live.notes {
            eprintln!("note: {note}");
        }
    }
    result
}
