//! Drizzle (drizzle-kit): one migrations folder per stage (`stage-01/`…), each with its SQL
//! files, statements split by `--> statement-breakpoint`, and its `meta/_journal.json`; one
//! config per stage. drizzle-kit runs every pending migration in one transaction and has no
//! switch for a statement that must run outside one: such a unit ends that transaction with
//! `COMMIT;`, runs its statement, and opens a new one with `BEGIN;` for drizzle-kit's own
//! bookkeeping. A migration counts as applied when its journal time is not later than the
//! newest history row's, so the times rise across all stages. No down migrations: `rollback/`
//! holds a psql script per stage that undoes it and deletes its history rows.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::text::quoted;
use super::{Commands, Export, Unit, psql_rollback};

const BREAKPOINT: &str = "\n--> statement-breakpoint\n";

pub(super) fn render(export: &Export) -> (BTreeMap<PathBuf, String>, Commands) {
    let mut files = BTreeMap::new();
    let mut commands = Commands {
        notes: vec![
            "drizzle-kit runs all pending migrations in one transaction: a unit that must run \
             outside a transaction commits it (`COMMIT;`), runs alone, and opens a new one \
             (`BEGIN;`). Everything before it in the same run is committed at that point."
                .to_owned(),
            "drizzle-kit has no down migrations: `rollback/stage-NN.rollback.sql` undoes a stage \
             with psql and deletes its rows from `drizzle.__drizzle_migrations`."
                .to_owned(),
            "drizzle-kit may exit 1 without printing the database's error: read the server log."
                .to_owned(),
        ],
        ..Commands::default()
    };
    for stage in &export.stages {
        let dir = super::knex::stage_dir(stage.number);
        let mut entries = Vec::new();
        for (idx, unit) in stage.units.iter().enumerate() {
            let tag = format!("{idx:04}_{}", unit.slug);
            files.insert(PathBuf::from(format!("{dir}/{tag}.sql")), sql_file(unit));
            entries.push(format!(
                "    {{ \"idx\": {idx}, \"version\": \"7\", \"when\": {}, \"tag\": {}, \"breakpoints\": true }}",
                when(export, unit),
                quoted(&tag)
            ));
        }
        files.insert(
            PathBuf::from(format!("{dir}/meta/_journal.json")),
            format!(
                "{{\n  \"version\": \"7\",\n  \"dialect\": \"postgresql\",\n  \"entries\": [\n{}\n  ]\n}}\n",
                entries.join(",\n")
            ),
        );
        let config = format!("drizzle.{dir}.config.ts");
        files.insert(PathBuf::from(&config), config_file(&dir));
        let rollback = format!("rollback/{dir}.rollback.sql");
        let first = stage.units.first().map_or(i64::MAX, |u| when(export, u));
        files.insert(
            PathBuf::from(&rollback),
            psql_rollback(
                export,
                stage,
                &format!("DELETE FROM drizzle.__drizzle_migrations WHERE created_at >= {first}"),
            ),
        );
        commands
            .apply
            .push(vec![format!("npx drizzle-kit migrate --config {config}")]);
        commands.rollback.push(vec![format!(
            "psql \"$DATABASE_URL\" -v ON_ERROR_STOP=1 -f {rollback}"
        )]);
    }
    commands
        .setup
        .push("export DATABASE_URL=postgresql://…   # the configs read it".to_owned());
    (files, commands)
}

/// The unit's journal time: the export's timestamp in milliseconds plus its number.
fn when(export: &Export, unit: &Unit) -> i64 {
    i64::try_from(export.timestamp)
        .unwrap_or(i64::MAX / 2_000)
        .saturating_mul(1_000)
        .saturating_add(i64::try_from(unit.number).unwrap_or(0))
}

fn sql_file(unit: &Unit) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "-- pgphase unit {}", unit.slug);
    for line in &unit.comment {
        let _ = writeln!(out, "-- {line}");
    }
    let statements: Vec<String> = if unit.transactional {
        unit.statements
            .iter()
            .map(|sql| format!("{sql};"))
            .collect()
    } else {
        let mut wrapped = vec![
            "-- pgphase: end drizzle-kit's transaction, so the next statement runs on its own\nCOMMIT;"
                .to_owned(),
        ];
        wrapped.extend(unit.statements.iter().map(|sql| format!("{sql};")));
        wrapped.push(
            "-- pgphase: a new transaction for drizzle-kit's history row and final COMMIT\nBEGIN;"
                .to_owned(),
        );
        wrapped
    };
    out.push_str(&statements.join(BREAKPOINT));
    out.push('\n');
    out
}

fn config_file(dir: &str) -> String {
    format!(
        "// pgphase: drizzle-kit's config for {dir} of the plan (DATABASE_URL names the database).\n\
         import {{ defineConfig }} from 'drizzle-kit';\n\n\
         export default defineConfig({{\n  \
         dialect: 'postgresql',\n  \
         out: './{dir}',\n  \
         dbCredentials: {{ url: process.env.DATABASE_URL! }},\n  \
         migrations: {{ table: '__drizzle_migrations', schema: 'drizzle' }},\n\
         }});\n"
    )
}
