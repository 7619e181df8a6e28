//! The right pane of the diff screen: what the selected change costs and why, its object's DDL
//! live beside desired, and the facts behind it (size, dependent views, on-demand counts).

use ratatui::text::{Line, Span};

use super::tree::{Node, Row};
use crate::ddl::object::{self, DiffLine, Object};
use crate::decide::{Fact, FactId, FactValue, Origin};
use crate::diff::Change;
use crate::schema::TableRef;
use crate::tui::app::{CountStatus, DiffView, Session};
use crate::tui::theme::Theme;

/// The pane's lines for the selected row.
#[must_use]
pub fn lines(
    session: &Session,
    view: &DiffView,
    row: &Row<'_>,
    theme: Theme,
) -> Vec<Line<'static>> {
    match row.node {
        Node::Change(index) => match session.changes.get(index) {
            Some(change) => change_lines(session, view, index, change, theme),
            None => Vec::new(),
        },
        Node::Schema | Node::Table => node_lines(session, row, theme),
    }
}

fn node_lines(session: &Session, row: &Row<'_>, theme: Theme) -> Vec<Line<'static>> {
    let name = match row.table {
        Some(table) => format!("{}.{table}", row.schema),
        None if row.schema.is_empty() => "the database".to_owned(),
        None => row.schema.to_owned(),
    };
    let mut out = vec![
        Line::styled(name, theme.title()),
        Line::from(vec![
            Span::raw(format!("{} change(s) shown; the worst is ", row.changes)),
            Span::styled(row.worst.to_string(), theme.badge(row.worst)),
        ]),
    ];
    if let Some(table) = row.table {
        let table = TableRef::new(row.schema, table);
        let object = Object::Relation(&table);
        push_facts(&mut out, session, Some(&table), theme);
        push_ddl(&mut out, session, object, object, theme);
    }
    out
}

fn change_lines(
    session: &Session,
    view: &DiffView,
    index: usize,
    change: &Change,
    theme: Theme,
) -> Vec<Line<'static>> {
    let planned = session.assessed.get(index);
    let explanation = crate::rules::explanation(change);
    let title = explanation.title;
    let mut out = vec![Line::styled(title.to_owned(), theme.title())];
    let mut badges = vec![Span::raw(format!("{}  ", change.object()))];
    for badge in planned.map(|p| p.badges.as_slice()).unwrap_or_default() {
        badges.push(Span::styled(format!("[{badge}]"), theme.badge(*badge)));
        badges.push(Span::raw(" "));
    }
    out.push(Line::from(badges));
    if let Some(planned) = planned {
        let cost = &planned.assessment.cost;
        out.push(Line::raw(planned.assessment.summary.clone()));
        out.push(Line::styled(
            format!(
                "{} ({}), {}",
                cost.lock.sql_name(),
                cost.lock.blocks(),
                cost.work
            ),
            theme.dim(),
        ));
    }
    if let Change::Unsupported(unsupported) = change {
        out.push(Line::raw(unsupported.detail.clone()));
    }
    let (schema, table) = change.location();
    let table = table.map(|table| TableRef::new(schema, table));
    push_facts(&mut out, session, table.as_ref(), theme);
    push_counts(&mut out, view, session, change, theme);
    if let Some((live, desired)) = change.objects() {
        push_ddl(&mut out, session, live, desired, theme);
    }
    for (heading, text) in [
        ("Risk", explanation.risk),
        ("Instead", explanation.instead),
        ("Rollback", explanation.rollback),
    ] {
        out.push(Line::raw(""));
        out.push(Line::styled(heading, theme.title()));
        out.push(Line::raw(text));
    }
    out
}

fn push_ddl(
    out: &mut Vec<Line<'static>>,
    session: &Session,
    live: Object<'_>,
    desired: Object<'_>,
    theme: Theme,
) {
    let live = object::object_ddl(&session.live, live);
    let desired = object::object_ddl(&session.desired.schema, desired);
    out.push(Line::raw(""));
    out.push(Line::from(vec![
        Span::styled("DDL ", theme.title()),
        Span::styled("-live", theme.removed()),
        Span::raw(" "),
        Span::styled("+desired", theme.added()),
    ]));
    if live.is_empty() && desired.is_empty() {
        out.push(Line::styled("(no DDL on either side)", theme.dim()));
        return;
    }
    for line in object::compare(&live, &desired) {
        out.push(match line {
            DiffLine::Same(text) => Line::raw(format!(" {text}")),
            DiffLine::Live(text) => Line::styled(format!("-{text}"), theme.removed()),
            DiffLine::Desired(text) => Line::styled(format!("+{text}"), theme.added()),
            DiffLine::Skipped => Line::styled(" ⋯", theme.dim()),
        });
    }
}

fn push_facts(
    out: &mut Vec<Line<'static>>,
    session: &Session,
    table: Option<&TableRef>,
    theme: Theme,
) {
    let Some(table) = table else {
        return;
    };
    out.push(Line::raw(""));
    out.push(Line::styled("Facts", theme.title()));
    match session.stats.tables.get(table) {
        Some(stats) => {
            let rows = stats.estimated_rows.and_then(|r| u64::try_from(r).ok());
            let size = Fact {
                id: FactId::from_static("size"),
                value: FactValue::Bytes(u64::try_from(stats.total_bytes).unwrap_or(0)),
                origin: Origin::Estimate {
                    source: "pg_class".to_owned(),
                },
            };
            out.push(Line::raw(format!(
                "{}, {size}",
                crate::rules::rows_text(rows)
            )));
        }
        None => out.push(Line::raw("not in the live database")),
    }
    let views = session
        .stats
        .view_dependencies
        .get(table)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if views.is_empty() {
        out.push(Line::raw("no views read it"));
    }
    for dependency in views {
        let kind = if dependency.materialized {
            "materialized view"
        } else {
            "view"
        };
        let columns = if dependency.columns.is_empty() {
            String::new()
        } else {
            format!(" (reads {})", dependency.columns.join(", "))
        };
        out.push(Line::raw(format!("{kind} {}{columns}", dependency.view)));
    }
}

fn push_counts(
    out: &mut Vec<Line<'static>>,
    view: &DiffView,
    session: &Session,
    change: &Change,
    theme: Theme,
) {
    let Some(what) = countable(change) else {
        return;
    };
    match view.counts.get(&change.id()) {
        None => out.push(Line::from(vec![
            Span::raw(format!("{what}: not counted; ")),
            Span::styled("c", theme.key()),
            Span::raw(" counts them"),
        ])),
        Some(CountStatus::Running) => out.push(Line::raw(format!("{what}: counting…"))),
        Some(CountStatus::Done) => {
            let counted = session.counted.changes.get(&change.id());
            for fact in counted.into_iter().flat_map(|facts| facts.values()) {
                out.push(Line::raw(format!("{what}: {fact}")));
            }
        }
        Some(CountStatus::Failed(error)) => out.push(Line::styled(
            format!("{what}: the count failed: {error}"),
            theme.error(),
        )),
    }
}

/// What an on-demand count of `change` counts (`NULLs`), if it has one.
#[must_use]
pub fn countable(change: &Change) -> Option<&'static str> {
    crate::rules::count(change).map(|count| count.label)
}
