//! A session made without a database for the screens' tests: a live schema with statistics, a
//! desired schema, and the planner at a given terminal size.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::schema::TableRef;
use crate::shadow::Method;
use crate::source::postgres::{Introspection, RelationKind, Stats, TableStats};
use crate::source::yaml;
use crate::tui::app::{App, Screen, Session};

pub const LIVE: &str = "pgphase: 1
schemas:
  public:
    tables:
      accounts:
        columns:
          id: bigint
          email: { type: text, nullable: false }
          nickname: text
          legacy_code: varchar(20)
        primary_key: [id]
";

pub const DESIRED: &str = "pgphase: 1
schemas:
  public:
    tables:
      accounts:
        columns:
          id: bigint
          email: { type: text, nullable: false }
          nickname: { type: text, nullable: false }
        primary_key: [id]
        indexes:
          - { name: accounts_email_idx, columns: [email] }
";

/// The session for [`LIVE`] (2,000,000 accounts) against [`DESIRED`].
pub fn session() -> Session {
    let live = yaml::parse(LIVE, "live.yaml").expect("live schema").schema;
    let desired = yaml::parse(DESIRED, "desired.yaml").expect("desired schema");
    let mut stats = Stats::default();
    stats.tables.insert(
        TableRef::new("public", "accounts"),
        TableStats {
            kind: RelationKind::Table,
            estimated_rows: Some(2_000_000),
            total_bytes: 300_000_000,
        },
    );
    crate::session::Session::new(
        Introspection {
            schema: live,
            stats,
            notes: Vec::new(),
        },
        desired,
        Method::Textual {
            reason: "a test".to_owned(),
        },
    )
}

/// The planner with [`session`] loaded, showing `screen`, colour off.
pub fn app(screen: Screen) -> App {
    let mut app = App::new(PathBuf::from("plans"), false);
    app.session = Some(session());
    app.screen = screen;
    app.size = (100, 30);
    app
}

/// `app` drawn by the whole view at `width`×`height`.
pub fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| crate::tui::view(app, frame)).unwrap();
    terminal
}
