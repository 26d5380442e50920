// The yin-datalog benchmarks (server/datalog/benches/queries/) run on Datascript: the same
// generated datoms (same xorshift32 generator and seed as data.rs) and the same queries, with
// `:node/x` attributes written as "node/x" strings, which is how Datascript's JS API names them.
//
// Usage: node --max-old-space-size=12000 bench.mjs [datoms...]   (default: 100000 1000000)
// Each query runs RUNS times (fewer when slow, see below) and the median is reported, with the
// row count and first row so results can be compared with the Rust bench's output.
import ds from 'datascript';

const SEED = 0x9e3779b9;
const FANOUT = 3;
const RUNS = 5;
// A query slower than this runs once: the comparison needs its order of magnitude, not decimals.
const SLOW_MS = 20000;

function* xorshift32(seed) {
  let x = seed >>> 0;
  for (;;) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    yield x;
  }
}

function datoms(n) {
  const rng = xorshift32(SEED);
  const tx = [];
  for (let i = 1; i <= n; i++) {
    tx.push([':db/add', i, 'node/name', `n${i}`]);
    tx.push([':db/add', i, 'node/kind', `k${rng.next().value % 8}`]);
    tx.push([':db/add', i, 'node/weight', rng.next().value % 1000]);
    if (i > 1) tx.push([':db/add', i, 'node/parent', Math.floor((i - 2) / FANOUT) + 1]);
  }
  return tx;
}

const QUERIES = [
  ['join3', '[:find ?e ?g :where [?g :node/kind "k1"] [?p :node/parent ?g] [?e :node/parent ?p]]', ''],
  ['negation', '[:find ?e :where [?e :node/kind "k2"] (not-join [?e] [?c :node/parent ?e] [?c :node/kind "k2"])]', ''],
  ['aggregate', '[:find ?k (count ?e) (sum ?w) (max ?w) :where [?e :node/kind ?k] [?e :node/weight ?w]]', ''],
  ['closure', '[:find (count ?a) :with ?d :in $ % :where (anc ?a ?d)]',
    '[[(anc ?a ?d) [?d :node/parent ?a]] [(anc ?a ?d) [?d :node/parent ?p] (anc ?a ?p)]]'],
];

const js = (text) => text.replace(/:node\/([a-z]+)/g, '"node/$1"');
const mib = (bytes) => Math.round(bytes / (1 << 20));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// Rows in value order (numbers numerically, then strings), like the Rust engine's results.
const byValue = (a, b) => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    if (typeof a[i] === typeof b[i]) return a[i] < b[i] ? -1 : 1;
    return typeof a[i] === 'number' ? -1 : 1;
  }
  return a.length - b.length;
};

const sizes = process.argv.slice(2).map(Number);
for (const size of sizes.length ? sizes : [100000, 1000000]) {
  const n = Math.ceil(size / 4);
  const schema = { 'node/parent': { ':db/valueType': ':db.type/ref' }, 'node/kind': { ':db/index': true } };
  let t = performance.now();
  const tx = datoms(n);
  const db = ds.db_with(ds.empty_db(schema), tx);
  const buildMs = performance.now() - t;
  global.gc?.();
  console.log(`datascript ${ds.datoms(db, ':eavt').length} datoms, build ${buildMs.toFixed(0)} ms, heap ${mib(process.memoryUsage().heapUsed)} MiB`);
  for (const [name, text, rules] of QUERIES) {
    const times = [];
    let rows;
    for (let i = 0; i < RUNS; i++) {
      t = performance.now();
      rows = rules ? ds.q(js(text), db, js(rules)) : ds.q(js(text), db);
      times.push(performance.now() - t);
      if (times[0] > SLOW_MS) break;
    }
    rows.sort(byValue);
    console.log(`  ${name}: median ${median(times).toFixed(1)} ms over ${times.length} run(s), ${rows.length} rows, first ${JSON.stringify(rows[0])}, rss ${mib(process.memoryUsage().rss)} MiB`);
  }
}
