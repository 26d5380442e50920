// Checks editors/vscode/src/present.ts, the text of evaluation results (cut with `...`, fenced
// for Markdown, `;; =>` comments, settings' messages), without an editor: esbuild bundles the
// module, node runs these cases. Run by tests/vscode/run before the end-to-end test, or alone:
// `node tests/vscode/unit.mjs` after `npm ci` in editors/vscode.
import { createRequire } from "node:module";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";

const root = path.resolve(import.meta.dirname, "../..");
const esbuild = createRequire(path.join(root, "editors/vscode/package.json"))("esbuild");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "yin-unit-"));
const outfile = path.join(dir, "present.mjs");
await esbuild.build({
  entryPoints: [path.join(root, "editors/vscode/src/present.ts")],
  bundle: true,
  format: "esm",
  platform: "node",
  outfile,
  logLevel: "error",
});
const present = await import(outfile);
fs.rmSync(dir, { recursive: true });

test("cut keeps short text and marks a cut with ...", () => {
  assert.equal(present.cut("(1 2 3)", 20), "(1 2 3)");
  assert.equal(present.cut("x".repeat(20), 20), "x".repeat(20));
  assert.equal(present.cut("x".repeat(21), 20), `${"x".repeat(17)}...`);
  assert.equal(present.cut("x".repeat(1_000_000), 100).length, 100);
});

test("cut never splits a surrogate pair", () => {
  // "😀" is two UTF-16 units: a cut between them would leave half a character.
  const cutText = present.cut(`ab${"😀".repeat(10)}`, 6);
  assert.equal(cutText, "ab...");
  assert.ok(!/[\ud800-\udbff]\.\.\./.test(present.cut(`a${"😀".repeat(10)}`, 7)));
});

test("fenced code is longer than any backtick run inside", () => {
  assert.equal(present.fenced("(+ 1 2)", "clojure"), "```clojure\n(+ 1 2)\n```");
  assert.equal(present.fenced('"`"', "clojure"), '```clojure\n"`"\n```');
  assert.equal(present.fenced('"``` ````"', "text"), '`````text\n"``` ````"\n`````');
  // An unclosed backtick run in a value cut at the end cannot close the block early.
  const block = present.fenced("```", "text");
  assert.ok(block.startsWith("````text\n") && block.endsWith("\n````"));
});

test("firstLine shows the first line and marks the rest", () => {
  assert.equal(present.firstLine("(defn f [x]\n  (inc x))", 120), "(defn f [x] ...");
  assert.equal(present.firstLine("(+ 1 2)", 120), "(+ 1 2)");
  assert.equal(present.firstLine(`(${"a ".repeat(100)})`, 20).length, 20);
});

test("result comments keep the form's indent and fold lines", () => {
  assert.equal(present.indentOf("    (inc x)"), "    ");
  assert.equal(present.indentOf("\t(inc x)"), "\t");
  assert.equal(present.resultComment("  ", "{:a 1,\n :b 2}"), "  ;; => {:a 1, :b 2}");
  assert.ok(present.isResultComment("  ;; => 3"));
  assert.ok(present.isResultComment(";;=> 3"));
  assert.ok(!present.isResultComment(";; a note"));
  assert.ok(!present.isResultComment("(inc 2) ;; => 3"));
});

test("settings are integers within bounds, and a bad one is named", () => {
  assert.equal(present.checkInteger("yin.eval.timeoutMs", 5000, 1, 600_000), 5000);
  assert.equal(
    present.checkInteger("yin.eval.timeoutMs", -5, 1, 600_000),
    "the setting `yin.eval.timeoutMs` must be an integer from 1 to 600,000, got -5",
  );
  assert.match(present.checkInteger("yin.eval.maxDepth", 2.5, 1, 100), /got 2\.5$/);
  assert.match(present.checkInteger("yin.eval.memoryMb", "256", 16, 4096), /got "256"$/);
  assert.match(present.checkInteger("yin.eval.maxSteps", undefined, 1, 10), /got undefined$/);
  assert.match(present.checkInteger("yin.eval.maxSteps", Number.NaN, 1, 10), /got NaN$/);
});
