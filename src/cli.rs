//! Command-line arguments (clap) and the commands, as thin shells over the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::Error;
use crate::session::{Progress, Session, Sources};
use crate::source::postgres::{self, ConnectOptions, IntrospectOptions};
use crate::source::yaml;

/// Plans safe, phased PostgreSQL schema changes.
#[derive(Debug, Parser)]
#[command(name = "pgphase", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The interactive planner (also what `pgphase` with no command runs).
    Tui(TuiArgs),
    /// Write the live schema as a desired-schema YAML file (the way to start one).
    Snapshot(SnapshotArgs),
    /// Show what differs between the live database and the desired schema, with the risks.
    /// Exit code 0: no differences, 1: differences, 2: error.
    Diff(DiffArgs),
    /// Write a phased migration plan folder from recorded answers or the defaults.
    Plan(PlanArgs),
    /// Prove a plan folder on a scratch copy of the live database (schema and sample rows):
    /// every file applied, re-run, rolled back and re-applied; the end state must match the
    /// plan's desired.yaml. Exit code 0: all checks passed, 1: a check failed, 2: error.
    Verify(VerifyArgs),
    /// Write a plan folder as migrations of a migration tool (Alembic, Django, Knex, Drizzle,
    /// Liquibase, Rails, golang-migrate, Flyway, Prisma), with a README of the commands to
    /// apply it up to each deploy gate and to roll it back.
    Export(ExportArgs),
    /// Start a throwaway PostgreSQL with the demo shop database and open the planner on it,
    /// towards the demo's desired schema. The PostgreSQL is removed on exit.
    Demo(DemoArgs),
}

impl Command {
    /// Whether the command runs on one thread: the ones that read a catalog and exit. A catalog
    /// comes in as rows that each connection's task hands to the reading task; on one thread
    /// that takes no wake-up of another thread, and at 10,000 tables a plan took 1.44 s instead
    /// of 1.55 s (means of 8 alternating runs). Their heavy work runs on threads of its own all
    /// the same (the file's halves, the plan's files). The interactive ones keep a thread for
    /// the screen, and `verify` runs its traffic's clients side by side.
    #[must_use]
    pub fn reads_on_one_thread(&self) -> bool {
        matches!(
            self,
            Self::Snapshot(_) | Self::Diff(_) | Self::Plan(_) | Self::Export(_)
        )
    }
}

/// The desired schema and how to put it in PostgreSQL's canonical form.
#[derive(Debug, Args)]
pub struct DesiredArgs {
    /// The desired-schema YAML file.
    #[arg(long, value_name = "FILE")]
    pub schema: PathBuf,
    /// A server where pgphase may create (and drop) a scratch database to canonicalise the
    /// desired schema. Default: a throwaway local PostgreSQL.
    #[arg(long, value_name = "URL", hide_env_values = true)]
    pub shadow_url: Option<String>,
    /// Compare textually, without a scratch database.
    #[arg(long, conflicts_with = "shadow_url")]
    pub no_shadow: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where `w` writes plan folders.
    #[arg(long, value_name = "DIR", default_value = "plans")]
    pub plans_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct TuiArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub desired: DesiredArgs,
    /// Where `w` writes plan folders.
    #[arg(long, value_name = "DIR", default_value = "plans")]
    pub plans_dir: PathBuf,
}

/// The arguments as given, with `tui` put in front when no command is named, so that `pgphase
/// --schema db/schema.yaml` opens the interactive planner.
#[must_use]
pub fn parse() -> Cli {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let names_a_command = args.get(1).is_some_and(|first| {
        let first = first.to_string_lossy();
        !first.starts_with('-') || ["-h", "--help", "-V", "--version"].contains(&first.as_ref())
    });
    if !names_a_command {
        args.insert(1.min(args.len()), "tui".into());
    }
    Cli::parse_from(args)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub desired: DesiredArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModeArg {
    ZeroDowntime,
    MaintenanceWindow,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub desired: DesiredArgs,
    /// The plan folder to write (conventionally plans/NAME).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Answers to the plan's questions (a plan's decisions.yaml); every question that applies
    /// must be answered.
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// Answer every question not answered otherwise with its default.
    #[arg(long)]
    pub defaults: bool,
    /// Zero downtime or a maintenance window (overrides the answers file).
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// Replace the plan folder if it exists.
    #[arg(long)]
    pub force: bool,
    /// Count nothing on the live database (NULLs, duplicate keys, orphans, values a cast
    /// rejects, rows holding a dropped enum label). Defaults are then chosen as if the data
    /// were clean, and only the plan's 00-preconditions.sql finds out, when it is run.
    #[arg(long)]
    pub no_count: bool,
    /// Cancel any one count that scans longer than this many seconds (it is then reported as
    /// not counted).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 60,
        conflicts_with = "no_count"
    )]
    pub count_timeout: u64,
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
pub struct VerifyArgs {
    /// The plan folder (as `pgphase plan --out` wrote it).
    #[arg(value_name = "PLAN_DIR")]
    pub plan_dir: PathBuf,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// A server where pgphase may create (and drop) the scratch database. Default: a
    /// throwaway local PostgreSQL.
    #[arg(long, value_name = "URL", hide_env_values = true)]
    pub shadow_url: Option<String>,
    /// Rows copied from each live table into the scratch database (at most).
    #[arg(long, value_name = "N", default_value_t = 1_000)]
    pub sample_rows: u64,
    /// Apply each file while simulated application clients read and write the tables it
    /// touches; a client error, or a client transaction slower than the file's budget, fails it.
    #[arg(long)]
    pub traffic: bool,
    /// Clients under --traffic, each with its own connection.
    #[arg(long, value_name = "N", default_value_t = 4, requires = "traffic")]
    pub clients: usize,
    /// Rows each touched table is grown to under --traffic (by copying its sample rows).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100_000,
        requires = "traffic"
    )]
    pub traffic_rows: u64,
    /// Seeds the clients' random choices under --traffic.
    #[arg(long, value_name = "N", default_value_t = 1, requires = "traffic")]
    pub traffic_seed: u64,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The plan folder (as `pgphase plan --out` wrote it).
    #[arg(value_name = "PLAN_DIR")]
    pub plan_dir: PathBuf,
    /// The migration tool.
    #[arg(long, value_enum)]
    pub to: crate::export::Tool,
    /// The folder to write.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace the folder if it exists.
    #[arg(long)]
    pub force: bool,
    /// The first migration's timestamp (UTC, YYYYMMDDHHMMSS), for tools that version by time;
    /// one second per migration after it. Default: now. Give it to export the same files again.
    #[arg(long, value_name = "YYYYMMDDHHMMSS", value_parser = parse_timestamp)]
    pub timestamp: Option<u64>,
    /// The migration the plan's first one follows: Alembic's down_revision, Django's
    /// dependency (the app's latest migration).
    #[arg(long, value_name = "ID")]
    pub after: Option<String>,
    /// Django: the app label the migrations belong to.
    #[arg(long, value_name = "APP", default_value = "pgphase_migrations")]
    pub django_app: String,
    /// Rails: the version in `ActiveRecord::Migration[…]`.
    #[arg(long, value_name = "X.Y", default_value = "6.1")]
    pub rails_version: String,
}

/// `YYYYMMDDHHMMSS` (UTC) as seconds since 1970.
fn parse_timestamp(text: &str) -> Result<u64, String> {
    crate::export::text::parse_timestamp_digits(text)
        .ok_or_else(|| format!("`{text}` is not a UTC time written YYYYMMDDHHMMSS"))
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
    /// Done, and the schemas differ (exit code 1).
    Differences,
    /// Done, and a check failed (exit code 1).
    Failed,
}

/// Runs a parsed command.
///
/// # Errors
/// Any [`Error`]; the binary prints it and exits with code 2.
pub async fn run(cli: Cli) -> Result<Outcome, Error> {
    match cli.command {
        Command::Snapshot(args) => snapshot(args).await,
        Command::Tui(args) => tui(args).await,
        Command::Diff(args) => diff(args).await,
        Command::Plan(args) => plan(args).await,
        Command::Verify(args) => verify(args).await,
        Command::Export(args) => export(&args),
        Command::Demo(args) => demo(args).await,
    }
}

async fn verify(args: VerifyArgs) -> Result<Outcome, Error> {
    use crate::verify::{Scratch, TrafficOptions, VerifyOptions};
    let scratch = args
        .shadow_url
        .clone()
        .map_or(Scratch::LocalCluster, Scratch::Url);
    let options = VerifyOptions {
        sample_rows: args.sample_rows,
        introspect: introspect_options(&args.connection),
        traffic: args.traffic.then(|| TrafficOptions {
            clients: args.clients,
            rows: args.traffic_rows,
            seed: args.traffic_seed,
            ..TrafficOptions::default()
        }),
    };
    let show_progress = std::io::stderr().is_terminal();
    let report = crate::verify::verify(
        &args.plan_dir,
        &connect_options(&args.connection),
        &scratch,
        &options,
        &mut |step| {
            if show_progress {
                eprint!("\r\x1b[2K{step}");
            }
        },
    )
    .await;
    if show_progress {
        eprint!("\r\x1b[2K");
    }
    let report = report?;
    stdout(&report.to_string())?;
    Ok(if report.passed() {
        Outcome::Done
    } else {
        Outcome::Failed
    })
}

fn export(args: &ExportArgs) -> Result<Outcome, Error> {
    use crate::export::{ExportOptions, read, render, write};
    let timestamp = args.timestamp.unwrap_or_else(crate::export::now);
    let export = read(&args.plan_dir, timestamp)?;
    let options = ExportOptions {
        after: args.after.clone(),
        django_app: args.django_app.clone(),
        rails_version: args.rails_version.clone(),
        ..ExportOptions::new(args.to, timestamp)
    };
    let files = render(&export, &options);
    write(&args.out, &files, args.force)?;
    let units = export.units().count();
    stdout(&format!(
        "wrote {}: {units} migration(s) for {} in {} stage(s); read {}/README.md first\n",
        args.out.display(),
        args.to.title(),
        export.stages.len(),
        args.out.display()
    ))?;
    Ok(Outcome::Done)
}

async fn tui(args: TuiArgs) -> Result<Outcome, Error> {
    let inputs = crate::tui::run::Inputs {
        sources: Sources {
            connect: connect_options(&args.connection),
            introspect: IntrospectOptions {
                measure_sizes: true,
                ..introspect_options(&args.connection)
            },
            desired: args.desired.schema.clone(),
            shadow: shadow_of(&args.desired),
            count: None,
        },
        plans_dir: args.plans_dir,
    };
    crate::tui::run::run(inputs).await?;
    Ok(Outcome::Done)
}

fn shadow_of(desired: &DesiredArgs) -> crate::shadow::Shadow {
    match (&desired.shadow_url, desired.no_shadow) {
        (_, true) => crate::shadow::Shadow::Off,
        (Some(url), false) => crate::shadow::Shadow::Url(url.clone()),
        (None, false) => crate::shadow::Shadow::LocalCluster,
    }
}

/// Reads both sides and compares them (counting what the changes need, with `count`),
/// showing progress on a terminal and the notes of how the live database was reached. With
/// `keep_shadow`, the shadow is returned for the caller to release (see
/// [`Session::open_keeping_shadow`]).
async fn compare(
    connection: &ConnectionArgs,
    desired: &DesiredArgs,
    count: Option<crate::count::Counting>,
    keep_shadow: bool,
) -> Result<(Session, Option<crate::shadow::Ready>), Error> {
    let sources = Sources {
        connect: connect_options(connection),
        introspect: introspect_options(connection),
        desired: desired.schema.clone(),
        shadow: shadow_of(desired),
        count,
    };
    let mut progress = progress_line();
    let opened = if keep_shadow {
        Session::open_keeping_shadow(&sources, &mut progress).await
    } else {
        Session::open(&sources, &mut progress)
            .await
            .map(|session| (session, None))
    };
    clear_progress_line();
    let (session, shadow) = opened?;
    for note in &session.notes {
        eprintln!("note: {note}");
    }
    Ok((session, shadow))
}

/// Shows each progress line in place on a terminal (nothing elsewhere).
fn progress_line() -> impl FnMut(Progress) {
    let show = std::io::stderr().is_terminal();
    move |progress: Progress| {
        if show {
            eprint!("\r\x1b[2K{}", progress.line());
        }
    }
}

fn clear_progress_line() {
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[2K");
    }
}

fn stdout(text: &str) -> Result<(), Error> {
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(|source| Error::Io {
            path: PathBuf::from("<stdout>"),
            source,
        })
}

async fn diff(args: DiffArgs) -> Result<Outcome, Error> {
    let (session, _) = compare(&args.connection, &args.desired, None, false).await?;
    let assessed = &session.assessed;
    let text = match args.format {
        Format::Text => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            crate::output::diff_report::text(assessed, &session.method, color)
        }
        Format::Json => {
            crate::output::diff_report::json(assessed, &session.method).map_err(|error| {
                crate::source::yaml::WriteError {
                    message: error.to_string(),
                }
            })?
        }
    };
    stdout(&text)?;
    Ok(if assessed.is_empty() {
        Outcome::Done
    } else {
        Outcome::Differences
    })
}

async fn plan(args: PlanArgs) -> Result<Outcome, Error> {
    use crate::decide::{Answer, Answers, ChangeId, ChoiceId, QuestionId, global};
    let mut answers: Answers = match &args.answers {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            yaml::from_text(&text, &path.display().to_string())?
        }
        None => Answers::default(),
    };
    if let Some(mode) = args.mode {
        let choice = match mode {
            ModeArg::ZeroDowntime => "zero-downtime",
            ModeArg::MaintenanceWindow => "maintenance-window",
        };
        answers.set(
            &ChangeId::global(),
            &QuestionId::from_static(global::MODE),
            Answer::user(ChoiceId::from_static(choice)),
        );
    }
    let counting = if args.no_count {
        crate::count::Counting::Off
    } else {
        crate::count::Counting::On {
            timeout: Duration::from_secs(args.count_timeout),
        }
    };
    // The scratch databases are dropped once the plan is written, so that their deleted files
    // do not slow the creation of the plan's (see `Session::open_keeping_shadow`).
    let (session, shadow) = compare(&args.connection, &args.desired, Some(counting), true).await?;
    let written = write_planned(&args, &answers, session);
    let released = match shadow {
        Some(shadow) => shadow.release(&mut |_| {}).await,
        None => Ok(()),
    };
    // What went wrong with the plan matters more than a failed clean-up after it.
    let outcome = written?;
    released?;
    Ok(outcome)
}

/// Plans `session` with `answers` and writes the plan folder `args` names.
fn write_planned(
    args: &PlanArgs,
    answers: &crate::decide::Answers,
    session: Session,
) -> Result<Outcome, Error> {
    for (change, why) in session.not_counted() {
        eprintln!("note: {change}: {why}");
    }
    let plan = session.plan(answers, args.defaults)?;
    // The files need only the plan and the desired schema: the live model goes before they are
    // rendered (at 10,000 tables, about a third of the peak memory).
    let (desired, source) = session.into_desired();
    let name = args
        .out
        .file_name()
        .map_or_else(|| "plan".to_owned(), |n| n.to_string_lossy().into_owned());
    let edited = write_plan(
        &args.out,
        args.force,
        &name,
        &plan,
        &desired,
        source.as_ref(),
    )?;
    if let Some(source) = edited {
        eprintln!(
            "note: {} was edited while the plan was made; its desired.yaml is the schema as it \
             was read, written out",
            source.path().display()
        );
    }
    eprintln!(
        "wrote {}: {} change(s) in {} file(s); read {}/README.md first",
        args.out.display(),
        plan.changes.len(),
        plan.files.len(),
        args.out.display()
    );
    Ok(Outcome::Done)
}

/// Renders and writes the plan folder. `desired.yaml` is the desired file copied as it was
/// read (`source`), streamed on this thread while another writes the other files; when the file
/// was edited since it was read, or there is none, it is the schema written out. Returns the
/// source when it had been edited.
fn write_plan<'s>(
    out: &Path,
    force: bool,
    name: &str,
    plan: &crate::plan::Plan,
    desired: &crate::source::yaml::Desired,
    source: Option<&'s crate::source::yaml::SourceFile>,
) -> Result<Option<&'s crate::source::yaml::SourceFile>, Error> {
    use crate::output::{StagedFolder, plan_files};
    let files = plan_files::render_plan(name, plan)?;
    let mut folder = StagedFolder::new(out, force)?;
    let desired_file = folder.create_file(Path::new(plan_files::DESIRED_FILE))?;
    let mut edited = None;
    std::thread::scope(|scope| {
        // The texts are freed as they are written.
        let writing = scope.spawn(move || folder.write(files).map(|()| folder));
        let written = desired_file.write_with(|out| {
            if crate::output::write_desired_yaml(out, desired, source)? {
                edited = source;
            }
            Ok(())
        });
        let folder = writing
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        written?;
        folder.commit()?;
        Ok(edited)
    })
}

async fn demo(args: DemoArgs) -> Result<Outcome, Error> {
    let files = tempfile::tempdir().map_err(|source| Error::Io {
        path: std::env::temp_dir(),
        source,
    })?;
    let schema = crate::demo::write_desired(files.path())?;
    let demo = crate::demo::start(&mut |step| eprintln!("{step}…")).await?;
    let inputs = crate::tui::run::Inputs {
        sources: Sources {
            connect: ConnectOptions {
                database_url: Some(demo.url.clone()),
                ..ConnectOptions::default()
            },
            introspect: IntrospectOptions {
                measure_sizes: true,
                ..IntrospectOptions::default()
            },
            desired: schema,
            shadow: crate::shadow::Shadow::Url(demo.cluster.url("postgres")),
            count: None,
        },
        plans_dir: args.plans_dir,
    };
    let result = crate::tui::run::run(inputs).await;
    eprintln!("removing the throwaway PostgreSQL…");
    // Stopped whatever the planner's outcome: the cluster must not outlive the demo.
    let stopped = demo.cluster.stop();
    result?;
    stopped?;
    Ok(Outcome::Done)
}

async fn snapshot(args: SnapshotArgs) -> Result<Outcome, Error> {
    let live = read_live(&args.connection).await?;
    // Streamed: the file of 10,000 tables is 12 MB of text, never held whole.
    let write = |out: &mut dyn Write| yaml::write_to(&live.schema, out);
    match &args.output {
        Some(path) => crate::output::write_file_atomically_with(path, write)?,
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write(&mut out)
                .and_then(|()| out.flush())
                .map_err(|source| Error::Io {
                    path: PathBuf::from("<stdout>"),
                    source,
                })?;
        }
    }
    Ok(Outcome::Done)
}

fn connect_options(args: &ConnectionArgs) -> ConnectOptions {
    ConnectOptions {
        database_url: args.database_url.clone(),
        connect_timeout: Some(Duration::from_secs(args.connect_timeout)),
        statement_timeout: Some(Duration::from_secs(args.statement_timeout)),
    }
}

/// Connects and reads the live schema, showing progress on a terminal.
async fn read_live(args: &ConnectionArgs) -> Result<postgres::Introspection, Error> {
    let mut progress = progress_line();
    let result = postgres::read_live(
        &connect_options(args),
        &introspect_options(args),
        &mut |p| progress(Progress::Reading(p)),
    )
    .await;
    clear_progress_line();
    let live = result?;
    for note in &live.notes {
        eprintln!("note: {note}");
    }
    Ok(live)
}

/// The schemas to read; sizes as of the last VACUUM or ANALYZE (the commands show none).
fn introspect_options(args: &ConnectionArgs) -> IntrospectOptions {
    IntrospectOptions {
        include_schemas: args.include_schemas.clone(),
        exclude_schemas: args.exclude_schemas.clone(),
        measure_sizes: false,
    }
}
