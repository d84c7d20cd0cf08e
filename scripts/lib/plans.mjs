// Runs EXPLAIN QUERY PLAN on statements given as JSON on stdin ([{name, sql, params}], as
// crates/porch-core/examples/bench_sql.rs prints them), with their parameters bound, in the local D1 of a
// persisted state (the SQLite that workerd runs, not the system's), and times each statement
// there: the median over a few runs of D1's own duration (meta.duration: whole milliseconds;
// the call from Node through miniflare adds tens of milliseconds, so it is not timed), and
// the rows it returned. miniflare comes with wrangler.
//   node scripts/lib/plans.mjs <state dir> < statements.json
import { readFileSync } from "node:fs";
import path from "node:path";
import { Miniflare } from "miniflare";

const state = process.argv[2];
if (!state) {
  console.error("usage: node scripts/lib/plans.mjs <state dir> < statements.json");
  process.exit(2);
}
const statements = JSON.parse(readFileSync(0, "utf8"));
const config = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");
const id = /^database_id\s*=\s*"([^"]+)"/m.exec(config)[1];
const mf = new Miniflare({
  modules: true,
  script: "",
  d1Persist: path.join(state, "v3", "d1"),
  d1Databases: { DB: id },
});
const RUNS = 9;
try {
  const db = await mf.getD1Database("DB");
  for (const { name, sql, params } of statements) {
    const plan = await db.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all();
    const depth = new Map([[0, -1]]);
    const lines = plan.results.map((row) => {
      const level = (depth.get(row.parent) ?? -1) + 1;
      depth.set(row.id, level);
      return `${"  ".repeat(level)}${row.detail}`;
    });
    const times = [];
    let rows = 0;
    for (let i = 0; i < RUNS; i++) {
      const result = await db.prepare(sql).bind(...params).all();
      times.push(result.meta.duration);
      rows = result.results.length;
    }
    times.sort((a, b) => a - b);
    console.log(`-- ${name}: ${rows} rows, ${times[Math.floor(RUNS / 2)]} ms in SQLite (median of ${RUNS})`);
    for (const line of lines) console.log(`   ${line}`);
  }
} finally {
  await mf.dispose();
}
