// Checks that editors/vscode/src/lsp_ext.ts mirrors the server's custom requests one to one:
// every method `yin lsp` registers has a request type, and every params/result struct in
// server/yin/src/lsp/ext.rs (plus handlers.rs's ViewFileTextParams) has an interface with the
// same fields (camelCase, as serde renames them) and the same optionality: an `Option` skipped
// when `None` is `field?: T`, an `Option` always written is `T | null`, anything else required.
// Run by tests/vscode/run; plain text matching, since both files keep one field per line.
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const read = (p) => fs.readFileSync(path.join(root, p), "utf8");
const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

/** name -> Map(field -> "required" | "optional" | "nullable"), or name -> alias target. */
function rustTypes(source) {
  const types = new Map();
  for (const m of source.matchAll(/pub\(crate\) struct (\w+) \{([^}]*)\}/g)) {
    const fields = new Map();
    let skipped = false;
    for (const line of m[2].split("\n").map((l) => l.trim())) {
      if (line.startsWith("#[serde(skip_serializing_if")) {
        skipped = true;
        continue;
      }
      const f = line.match(/^(?:pub\(crate\) )?(\w+): (.+),$/);
      if (f !== null) {
        const option = f[2].startsWith("Option<");
        fields.set(camel(f[1]), option ? (skipped ? "optional" : "nullable") : "required");
        skipped = false;
      }
    }
    types.set(m[1], fields);
  }
  for (const m of source.matchAll(/pub\(crate\) type (\w+) = (\w+);/g)) {
    types.set(m[1], m[2]);
  }
  return types;
}

function tsTypes(source) {
  const types = new Map();
  for (const m of source.matchAll(/export interface (\w+) \{([^}]*)\}/g)) {
    const fields = new Map();
    for (const line of m[2].split("\n").map((l) => l.trim())) {
      const f = line.match(/^(\w+)(\??): (.+);$/);
      if (f !== null) {
        const nullable = /\|\s*null\b/.test(f[3]);
        fields.set(f[1], nullable ? "nullable" : f[2] === "?" ? "optional" : "required");
      }
    }
    types.set(m[1], fields);
  }
  for (const m of source.matchAll(/export type (\w+) = (\w+);/g)) {
    types.set(m[1], m[2]);
  }
  return types;
}

const ext = read("server/yin/src/lsp/ext.rs");
const handlers = read("server/yin/src/lsp/handlers.rs");
const viewFileText = handlers.match(/pub\(crate\) struct ViewFileTextParams \{[^}]*\}/)?.[0] ?? "";
const rust = rustTypes(`${ext}\n${viewFileText}`);
const ts = tsTypes(read("editors/vscode/src/lsp_ext.ts"));
const mirror = read("editors/vscode/src/lsp_ext.ts");

const problems = [];
if (!rust.has("ViewFileTextParams")) {
  problems.push("handlers.rs no longer defines ViewFileTextParams: update this check");
}
for (const [name, fields] of rust) {
  const other = ts.get(name);
  if (other === undefined) {
    problems.push(`lsp_ext.ts lacks ${name}`);
  } else if (typeof fields === "string" || typeof other === "string") {
    if (fields !== other) {
      problems.push(`${name} is ${JSON.stringify(fields)} in Rust, ${JSON.stringify(other)} in lsp_ext.ts`);
    }
  } else {
    for (const [field, kind] of fields) {
      if (!other.has(field)) {
        problems.push(`${name}.${field} is missing from lsp_ext.ts`);
      } else if (other.get(field) !== kind) {
        problems.push(`${name}.${field} is ${kind} in Rust, ${other.get(field)} in lsp_ext.ts`);
      }
    }
    for (const field of other.keys()) {
      if (!fields.has(field)) {
        problems.push(`${name}.${field} is in lsp_ext.ts but not in the server`);
      }
    }
  }
}
for (const name of ts.keys()) {
  if (!rust.has(name)) {
    problems.push(`lsp_ext.ts has ${name}, which the server does not define`);
  }
}
const methods = [...read("server/yin/src/lsp/mod.rs").matchAll(/custom_method\("([^"]+)"/g)].map((m) => m[1]);
if (methods.length === 0) {
  problems.push("found no custom_method in server/yin/src/lsp/mod.rs: update this check");
}
for (const method of methods) {
  if (!mirror.includes(`"${method}"`)) {
    problems.push(`lsp_ext.ts has no request type for ${method}`);
  }
}

if (problems.length > 0) {
  console.error(`lsp_ext.ts does not mirror the server:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`ok   lsp_ext.ts mirrors ${rust.size} types and ${methods.length} methods`);
