//! The SQL of a rebuild of every asset's activity rollups (`store::equipment::rebuild`), for
//! a D1 that the worker's scheduled run does not reach: `scripts/rollups` runs it on local
//! state with wrangler.
//!
//! cargo run --example `rollups_sql` -- plan: prints the statement that lists the assets
//! (`REBUILD_PLAN`). cargo run --example `rollups_sql` -- rebuild: reads that statement's
//! answer from `wrangler d1 execute --json` on stdin and prints the rebuild's statements, one
//! asset after another, with their values written in.

use std::io::Read;

use porch_core::store::equipment::{self, RebuildRow};
use porch_core::store::{Statement, Value};

/// A statement as SQL text: each `?N` replaced by its value as an SQL literal (from the
/// highest N down, so `?1` never eats the start of `?12`).
fn inline(statement: &Statement) -> String {
    let mut sql = statement.sql.to_owned();
    for (index, value) in statement.params.iter().enumerate().rev() {
        let literal = match value {
            Value::Null => "NULL".to_owned(),
            Value::Int(n) => n.to_string(),
            Value::Text(text) => format!("'{}'", text.replace('\'', "''")),
        };
        sql = sql.replace(&format!("?{}", index + 1), &literal);
    }
    sql
}

fn main() -> Result<(), String> {
    match std::env::args().nth(1).as_deref() {
        Some("plan") => println!("{}", equipment::REBUILD_PLAN.split_whitespace().collect::<Vec<_>>().join(" ")),
        Some("rebuild") => {
            let mut input = String::new();
            std::io::stdin().read_to_string(&mut input).map_err(|e| e.to_string())?;
            // wrangler answers a list of results, one per statement run.
            let answers: serde_json::Value =
                serde_json::from_str(&input).map_err(|e| format!("wrangler's JSON: {e}"))?;
            let rows = answers.pointer("/0/results").and_then(serde_json::Value::as_array).ok_or("no results")?;
            for row in rows {
                let row: RebuildRow = serde_json::from_value(row.clone()).map_err(|e| format!("{row}: {e}"))?;
                for statement in equipment::rebuild(&row) {
                    println!("{};", inline(&statement));
                }
            }
            eprintln!("[rollups] {} assets", rows.len());
        }
        _ => return Err("arguments: plan | rebuild".into()),
    }
    Ok(())
}
