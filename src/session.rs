//! The pipeline in one place: read both sides (the desired file first, then the catalog) while
//! the shadow gets ready, put the desired schema in PostgreSQL's canonical form, keep what the
//! file manages, diff (while the shadow is released), gather facts, ask the questions, assess;
//! add counted facts; plan with answers. The CLI, the TUI's background work, the golden tests
//! and the benchmarks each call it in a few lines, so they cannot drift apart.
//!
//! Only reading touches a database (the live one read-only, the shadow server for scratch
//! databases); everything after [`Session::new`] is pure.

use std::path::PathBuf;

use crate::count::{self, CountProgress, Counting};
use crate::decide::{self, Answers, ChangeId, Fact, Facts, Question};
use crate::diff::{self, Change};
use crate::plan::{self, Plan, PlanError, PlannedChange, Undecided};
use crate::rules::Context;
use crate::schema::Schema;
use crate::shadow::{self, Method, Shadow, ShadowError};
use crate::source::postgres::{
    self, ConnectError, ConnectOptions, IntrospectOptions, Introspection, Stats,
};
use crate::source::yaml::{self, Desired, DesiredFile, LoadError, SourceFile};

/// Where the two sides come from.
#[derive(Debug, Clone)]
pub struct Sources {
    /// The live database, read only.
    pub connect: ConnectOptions,
    pub introspect: IntrospectOptions,
    /// The desired schema's YAML file.
    pub desired: PathBuf,
    /// Where the desired schema is canonicalised.
    pub shadow: Shadow,
    /// Whether [`Session::open`] counts what the changes need (as [`Session::count`] would),
    /// starting while the desired schema is canonicalised; `None` leaves it to the caller.
    pub count: Option<Counting>,
}

/// How far the pipeline got, for a progress line or the loading screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// The desired file is being read.
    ReadingFile(PathBuf),
    /// A catalog query of the live database finished.
    Reading(postgres::Progress),
    /// A step of putting the desired schema in canonical form.
    Canonicalising(String),
    /// A count is about to start.
    Counting(CountProgress),
}

impl Progress {
    /// One line saying what is happening (`reading columns (3/16 queries, 1234 rows)`).
    #[must_use]
    pub fn line(&self) -> String {
        match self {
            Self::ReadingFile(path) => format!("reading {}", path.display()),
            Self::Reading(p) => format!(
                "reading {} ({}/{} queries, {} rows)",
                p.step, p.finished_queries, p.total_queries, p.rows_read
            ),
            Self::Canonicalising(step) => step.clone(),
            Self::Counting(p) => format!("counting {} ({}/{})", p.what, p.index, p.total),
        }
    }
}

/// Why a session could not be opened, by the stage that failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Desired(#[from] LoadError),
    #[error(transparent)]
    Live(#[from] postgres::ReadError),
    #[error(transparent)]
    Canonical(#[from] ShadowError),
    /// The counts' connection to the live database failed, after the reading succeeded.
    #[error(transparent)]
    Counting(ConnectError),
}

/// Both schemas compared, and everything the questions and the plan need.
#[derive(Debug, Clone)]
pub struct Session {
    pub live: Schema,
    pub stats: Stats,
    /// What the user may want to know about how the live database was reached.
    pub notes: Vec<String>,
    /// The desired schema in canonical form, with the file's `ignore:` rules.
    pub desired: Desired,
    /// The desired file it was read from, when it was: what a plan's `desired.yaml` copies.
    pub source: Option<SourceFile>,
    pub method: Method,
    pub changes: Vec<Change>,
    pub assessed: Vec<PlannedChange>,
    /// Facts from the model and the statistics, with the counted ones in their place.
    pub facts: Facts,
    /// Facts counted from the data, which take precedence; kept apart so that the facts can
    /// be made again when a count arrives.
    pub counted: Facts,
    /// Global questions first, then each change's.
    pub questions: Vec<Question>,
}

/// Reads the desired file on this thread, handing the runtime's other tasks to another worker
/// meanwhile. Read before the catalog and on the same thread, the file's transient memory (its
/// raw form) is reused by the catalog's, which the system's allocator could not do across
/// threads: at 10,000 tables the plan peaked at 155–161 MB this way, against 192–204 MB when
/// the file was parsed on another thread while the catalog was read (0.8 s sooner done), when
/// this was chosen; later savings took the peak to 141–146 MB. With mimalloc the two at once
/// were only 0.3 s sooner (both cores are busy either way), for 173–178 MB against 145–148 MB.
fn load_on_this_thread(path: &std::path::Path) -> Result<(Desired, SourceFile), LoadError> {
    let multi_thread = tokio::runtime::Handle::try_current()
        .is_ok_and(|handle| handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if multi_thread {
        tokio::task::block_in_place(|| yaml::load_source(path))
    } else {
        yaml::load_source(path)
    }
}

impl Session {
    /// Reads both sides, canonicalises the desired schema and compares.
    ///
    /// # Errors
    /// The file has a mistake, the live database cannot be read, or canonicalising failed.
    pub async fn open(
        sources: &Sources,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Self, SessionError> {
        let (session, _) = Self::open_with(sources, false, progress).await?;
        Ok(session)
    }

    /// [`Session::open`], the shadow kept (`Some`) for the caller to give back with
    /// [`shadow::Ready::release`] once it has written what it writes. Dropping a scratch
    /// database deletes its files, and a file system that passes over recently freed inodes
    /// when it allocates one (ext4 without a journal) then creates the next files slower: 2,370
    /// files took 0.26 s instead of 0.06–0.09 s right after a scratch database of 150 tables
    /// on the same disk was dropped.
    ///
    /// # Errors
    /// As [`Session::open`]; the shadow is given back then.
    pub async fn open_keeping_shadow(
        sources: &Sources,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(Self, Option<shadow::Ready>), SessionError> {
        Self::open_with(sources, true, progress).await
    }

    /// Opens the session; with `keep_shadow`, the shadow is returned instead of released.
    async fn open_with(
        sources: &Sources,
        keep_shadow: bool,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(Self, Option<shadow::Ready>), SessionError> {
        // The shadow gets ready while both sides are read: a throwaway cluster takes about a
        // second to start, which would otherwise come after them.
        let preparing = tokio::spawn({
            let shadow = sources.shadow.clone();
            let planned = sources.connect.clone();
            async move { shadow::prepare(&shadow, Some(&planned)).await }
        });
        // On a one-thread runtime the file is read on this thread, blocking it: the shadow's
        // first step (connecting, or starting a throwaway cluster on a thread of its own) is
        // taken first, so that it goes on meanwhile.
        tokio::task::yield_now().await;
        let read = Self::read_both(sources, progress).await;
        let ready = match preparing.await {
            Ok(ready) => ready,
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(error) => Err(ShadowError::Thread(error.to_string())),
        };
        match read {
            Ok((live, (desired, source))) => {
                let count = sources.count.map(|counting| (&sources.connect, counting));
                let (mut session, kept) =
                    Self::compare_on(live, desired, ready?, count, keep_shadow, progress).await?;
                session.source = Some(source);
                Ok((session, kept))
            }
            Err(error) => {
                // What stopped the reading matters more than a failed clean-up after it.
                if let Ok(ready) = ready {
                    let mut step = |line: &str| progress(Progress::Canonicalising(line.to_owned()));
                    let _ = ready.release(&mut step).await;
                }
                Err(error)
            }
        }
    }

    /// The catalog of the live database and the desired file, the file first.
    async fn read_both(
        sources: &Sources,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(Introspection, (Desired, SourceFile)), SessionError> {
        progress(Progress::ReadingFile(sources.desired.clone()));
        let desired = load_on_this_thread(&sources.desired)?;
        let live = postgres::read_live(&sources.connect, &sources.introspect, &mut |p| {
            progress(Progress::Reading(p));
        })
        .await?;
        Ok((live, desired))
    }

    /// Canonicalises `desired` (only what differs from `live`, on `shadow`; `planned` is the
    /// live database, which a shadow URL must not name) and compares.
    ///
    /// # Errors
    /// Canonicalising failed.
    pub async fn compare(
        live: Introspection,
        desired: Desired,
        shadow: &Shadow,
        planned: Option<&ConnectOptions>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Self, SessionError> {
        if *shadow == Shadow::LocalCluster {
            progress(Progress::Canonicalising(
                shadow::STARTING_CLUSTER.to_owned(),
            ));
        }
        let ready = shadow::prepare(shadow, planned).await?;
        let (session, _) = Self::compare_on(live, desired, ready, None, false, progress).await?;
        Ok(session)
    }

    /// Canonicalises `desired` on the `ready` shadow and compares, releasing the shadow while
    /// the schemas are compared; with `count`, counts what the changes need on the live
    /// database as well.
    ///
    /// The counts start while the desired schema is canonicalised, from the changes of the
    /// schema as read: a count reads tables, columns and type names, which canonicalising
    /// seldom rewrites, and a change whose rows to count differ after it is counted then. At
    /// 10,000 tables the 143 counts took about 0.1 s after canonicalising; they now run beside
    /// it.
    async fn compare_on(
        live: Introspection,
        desired: Desired,
        mut ready: shadow::Ready,
        count: Option<(&ConnectOptions, Counting)>,
        keep_shadow: bool,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(Self, Option<shadow::Ready>), SessionError> {
        let progress = std::cell::RefCell::new(progress);
        let report = |step: Progress| (progress.borrow_mut())(step);
        let mut step = |line: &str| report(Progress::Canonicalising(line.to_owned()));
        let mut counted = |step: &CountProgress| report(Progress::Counting(step.clone()));
        let count_ahead = count.filter(|(_, counting)| matches!(counting, Counting::On { .. }));
        let (narrowing, early_changes) =
            Self::narrowing_and_changes(&live, &desired, count_ahead.is_some());
        let counting_ahead = async {
            match (count_ahead, &early_changes) {
                (Some((connect, counting)), Some(changes)) => {
                    count::count_ahead(connect, changes, counting, &mut counted).await
                }
                _ => Ok(count::Ahead::default()),
            }
        };
        let (canonical, ahead) = tokio::join!(
            ready.canonicalize_narrowed(desired.schema, narrowing, &mut step),
            counting_ahead
        );
        drop(early_changes);
        let ignore = desired.ignore;
        let compare = || {
            canonical.map(|canonical| {
                let desired = Desired {
                    schema: canonical.schema,
                    ignore,
                };
                Self::new(live, desired, canonical.method)
            })
        };
        let (session, kept) = if keep_shadow {
            (compare().map_err(SessionError::from), Some(ready))
        } else {
            let (released, session) = tokio::join!(ready.release(&mut step), async { compare() });
            // Why the schema could not be canonicalised matters more than a failed clean-up.
            let session = session.map_err(SessionError::from).and_then(|session| {
                released?;
                Ok(session)
            });
            (session, None)
        };
        let counted = match session {
            Ok(session) => Self::counted(session, count, ahead, &mut counted).await,
            Err(error) => Err(error),
        };
        match (counted, kept) {
            (Ok(session), kept) => Ok((session, kept)),
            (Err(error), kept) => {
                // What went wrong matters more than a failed clean-up after it.
                if let Some(kept) = kept {
                    let _ = kept.release(&mut step).await;
                }
                Err(error)
            }
        }
    }

    /// What of `desired` goes through the scratch database and, with `changes`, the changes
    /// from `live` to `desired` as read: both pure and about as long, the changes found on a
    /// thread of their own.
    fn narrowing_and_changes(
        live: &Introspection,
        desired: &Desired,
        changes: bool,
    ) -> (shadow::Narrowing, Option<Vec<Change>>) {
        std::thread::scope(|scope| {
            let early = changes.then(|| scope.spawn(|| Self::changes_of(live, desired)));
            let narrowing = shadow::Narrowing::of(&desired.schema, &live.schema);
            let early = early.map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            });
            (narrowing, early)
        })
    }

    /// `session` with its counts, with `count`: those made `ahead` where they count the same
    /// rows, the others made now.
    async fn counted(
        mut session: Self,
        count: Option<(&ConnectOptions, Counting)>,
        ahead: Result<count::Ahead, ConnectError>,
        progress: &mut dyn FnMut(&CountProgress),
    ) -> Result<Self, SessionError> {
        let Some((connect, counting)) = count else {
            return Ok(session);
        };
        let ahead = ahead.map_err(SessionError::Counting)?;
        session.counted =
            count::count_changes(connect, &session.changes, counting, ahead, progress)
                .await
                .map_err(SessionError::Counting)?;
        session.refresh();
        Ok(session)
    }

    /// The changes from `live` to `desired` as read (not canonicalised), of what the file
    /// manages.
    fn changes_of(live: &Introspection, desired: &Desired) -> Vec<Change> {
        let managed = desired.ignore.keep_managed(&live.schema, &desired.schema);
        diff::diff(&managed, &desired.schema, &live.stats)
    }

    /// The session of a live database and a canonical desired schema: what the file manages
    /// diffed, the facts, the questions and the assessment. Pure.
    #[must_use]
    pub fn new(live: Introspection, desired: Desired, method: Method) -> Self {
        let managed = desired.ignore.keep_managed(&live.schema, &desired.schema);
        let changes = diff::diff(&managed, &desired.schema, &live.stats);
        let mut session = Self {
            live: live.schema,
            stats: live.stats,
            notes: live.notes,
            desired,
            source: None,
            method,
            changes,
            assessed: Vec::new(),
            facts: Facts::default(),
            counted: Facts::default(),
            questions: Vec::new(),
        };
        session.refresh();
        session.assessed = plan::assess(&session.changes, &session.context());
        session
    }

    /// Counts what every change needs on the live database (read-only, one connection), then
    /// makes the facts and questions again.
    ///
    /// # Errors
    /// The live database cannot be reached; a count that fails or times out is a fact saying
    /// so instead.
    pub async fn count(
        &mut self,
        connect: &ConnectOptions,
        counting: Counting,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), ConnectError> {
        let ahead = count::Ahead::default();
        let counted = count::count_changes(connect, &self.changes, counting, ahead, &mut |p| {
            progress(Progress::Counting(p.clone()));
        })
        .await?;
        self.counted = counted;
        self.refresh();
        Ok(())
    }

    /// Adds facts counted for one change (the TUI counts on demand), then makes the facts and
    /// questions again: a count changes prompts, defaults and which questions are asked.
    pub fn add_counted(&mut self, change: &ChangeId, facts: &[Fact]) {
        for fact in facts {
            self.counted.insert(change, fact.clone());
        }
        self.refresh();
    }

    /// Each change whose count was skipped or gave up, with why.
    #[must_use]
    pub fn not_counted(&self) -> Vec<(String, String)> {
        count::skipped(&self.changes, &self.counted)
    }

    /// What the rules read: both schemas, the statistics and the facts.
    #[must_use]
    pub fn context(&self) -> Context<'_> {
        Context {
            live: &self.live,
            desired: &self.desired.schema,
            stats: &self.stats,
            facts: &self.facts,
        }
    }

    /// The plan for `answers`; with `fill_defaults`, questions left open take their defaults
    /// (and a question without one stops the plan).
    ///
    /// # Errors
    /// Unanswered or undecided questions, unusable answers.
    pub fn plan(&self, answers: &Answers, fill_defaults: bool) -> Result<Plan, PlanError> {
        let context = self.context();
        if !fill_defaults {
            return plan::plan(&self.changes, &context, answers);
        }
        let answers = decide::with_defaults(&self.questions, &self.facts, answers);
        let undecided = Undecided::find(&self.questions, &self.facts, &answers);
        if !undecided.is_empty() {
            return Err(PlanError::Undecided(undecided));
        }
        plan::plan(&self.changes, &context, &answers)
    }

    /// The desired schema and the file it was read from, the rest of the session dropped.
    #[must_use]
    pub fn into_desired(self) -> (Desired, Option<SourceFile>) {
        (self.desired, self.source)
    }

    /// What the plan's `desired.yaml` holds: the desired file as it was read, or the schema
    /// written out when it came from no file or the file was edited since.
    #[must_use]
    pub fn desired_file(&self) -> DesiredFile<'_> {
        let unchanged = self.source.as_ref().and_then(|s| s.read_unchanged().ok()?);
        match unchanged {
            Some(text) => DesiredFile::Text(text.into()),
            None => DesiredFile::Written(&self.desired),
        }
    }

    fn refresh(&mut self) {
        let empty = Facts::default();
        let bare = Context {
            facts: &empty,
            ..self.context()
        };
        let facts = plan::facts(&self.changes, &bare, &self.counted);
        let context = Context {
            facts: &facts,
            ..bare
        };
        self.questions = plan::questions(&self.changes, &context);
        self.facts = facts;
    }
}
