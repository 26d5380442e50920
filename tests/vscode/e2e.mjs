// Drives a real VS Code (code-server, started by tests/vscode/run) in Debian's Chromium with
// playwright-core and checks what a user sees: the lint finding in the Problems panel, an
// inline result after Evaluate, the server's copy of the text, a query's table, the
// Continuation view filling up while stepping (and following a step into another file's
// function: the file opens beside, a frame's row opens it at the frame), and live evaluation in the session with Calva's
// keys (live.yin: innermost and top-level forms, a selection, up to the cursor, load file, an
// error's range as a diagnostic, interrupt, the inspector paging through a million elements,
// evaluate to comment, replace, session info and reset, a bad setting's message). On failure it saves a screenshot to
// tests/artifacts/. The screenshots it takes on the way land in tests/artifacts/ too, or, with
// YIN_UPDATE_SCREENSHOTS=1, in docs/images/ for the README (so a test run leaves the tree clean).
//
// Environment: YIN_TEST_PLAYWRIGHT (the playwright-core package), YIN_TEST_URL (code-server's
// address with ?folder=), YIN_TEST_ROOT (the repository), YIN_TEST_BROWSER_DIR (a fresh
// browser profile), YIN_TEST_MACHINE_SETTINGS (code-server's Machine/settings.json).
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";

const { chromium } = createRequire(import.meta.url)(process.env.YIN_TEST_PLAYWRIGHT);
const root = process.env.YIN_TEST_ROOT;
const artifacts = path.join(root, "tests/artifacts");
const images = process.env.YIN_UPDATE_SCREENSHOTS === "1" ? path.join(root, "docs/images") : artifacts;
fs.mkdirSync(images, { recursive: true });
const demo = fs.readFileSync(path.join(root, "tests/vscode/workspace/demo.yin"), "utf8").split("\n");
const evalLine = demo.findIndex((l) => l.startsWith("(reduce")) + 1;
const live = fs.readFileSync(path.join(root, "tests/vscode/workspace/live.yin"), "utf8").split("\n");
/** The 1-based line of live.yin that starts (after its indent) with `text`. */
function liveLine(text) {
  const i = live.findIndex((l) => l.trimStart().startsWith(text));
  if (i < 0) {
    throw new Error(`live.yin has no line starting with ${text}`);
  }
  return i + 1;
}

const context = await chromium.launchPersistentContext(process.env.YIN_TEST_BROWSER_DIR, {
  executablePath: process.env.YIN_TEST_CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1400, height: 860 },
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
// Copy Value in the inspector writes the clipboard, which the test reads back.
await context.grantPermissions(["clipboard-read", "clipboard-write"]);
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(30_000);

let current = "start";
const started = Date.now();
async function step(name, body) {
  current = name;
  const t = Date.now();
  await body();
  console.log(`ok   ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
}

/** Runs a command from the palette by its title, as a user would. */
async function palette(title) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().waitFor();
  await page.keyboard.press("Enter");
}

async function goToLine(line) {
  await page.keyboard.press("Control+g");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor();
  await input.fill(`:${line}`);
  await page.keyboard.press("Enter");
}

/** Puts the cursor at 1-based `line` and `column`. */
async function cursorAt(line, column) {
  await page.keyboard.press("Control+g");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor();
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press("Enter");
}

/** Polls `afterTexts` until `ok` holds of them. */
async function waitForAfterTexts(ok, what, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let seen = [];
  while (!ok((seen = await afterTexts()))) {
    if (Date.now() > deadline) {
      throw new Error(`${what}; decorations: ${JSON.stringify(seen)}`);
    }
    await page.waitForTimeout(100);
  }
  return seen;
}

/** The active editor's visible lines in order (Monaco places them by `top`, not DOM order). */
async function editorText() {
  return page.evaluate(() => {
    const lines = [...document.querySelectorAll(".editor-group-container.active .monaco-editor .view-lines .view-line")];
    lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
    return lines.map((l) => l.textContent.replace(/\u00a0/g, " ")).join("\n");
  });
}

async function waitForEditorText(ok, what) {
  const deadline = Date.now() + 20_000;
  let text = "";
  while (!ok((text = await editorText()))) {
    if (Date.now() > deadline) {
      throw new Error(`${what}; the editor shows:\n${text}`);
    }
    await page.waitForTimeout(100);
  }
  return text;
}

function toast(text) {
  return page.locator(".notifications-toasts .notification-toast", { hasText: text });
}

async function clearNotifications() {
  await palette("Notifications: Clear All Notifications");
}

/** The texts the editor shows after lines through decorations (CSS `::after` content). */
async function afterTexts() {
  return page.evaluate(() =>
    [...document.querySelectorAll(".monaco-editor .view-lines span")]
      .map((e) => getComputedStyle(e, "::after").content)
      .filter((c) => c !== "none" && c !== "normal" && c !== "")
      .map((c) => c.replace(/^"|"$/g, "")),
  );
}

function pane(title) {
  return page.locator(".pane").filter({
    has: page.locator(".pane-header", { hasText: new RegExp(`^\\s*${title}`) }),
  });
}

try {
  await step("workbench opens the workspace", async () => {
    await page.goto(process.env.YIN_TEST_URL);
    await page.locator(".explorer-folders-view .monaco-list-row").first().waitFor({ timeout: 60_000 });
  });

  await step("lint finding in the Problems panel", async () => {
    // A double click keeps the editor open (no preview): queries run over the open documents.
    await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "demo.yin" }).dblclick();
    await page.locator(".monaco-editor .squiggly-warning").first().waitFor({ timeout: 60_000 });
    await page.keyboard.press("Control+Shift+M");
    const row = page.locator(".markers-panel .monaco-list-row", { hasText: "depth" });
    await row.first().waitFor();
    const text = await row.first().innerText();
    if (!/unused-param/.test(text)) {
      throw new Error(`the Problems row does not name the rule: ${text}`);
    }
    // One finding, reported once (pushed and pulled diagnostics must not both show).
    const status = await page.locator("#status\\.problems").innerText();
    if (status.replace(/\s+/g, " ").trim() !== "0 1") {
      throw new Error(`the status bar counts other problems than the one warning: ${JSON.stringify(status)}`);
    }
    await page.screenshot({ path: path.join(images, "vscode-diagnostics.png") });
  });

  await step("Evaluate shows the result after the form", async () => {
    await page.locator(".monaco-editor .view-lines").first().click();
    await goToLine(evalLine);
    // After the closing bracket: the form just before the cursor is evaluated.
    await page.keyboard.press("End");
    await page.keyboard.press("Control+Enter");
    const deadline = Date.now() + 30_000;
    let seen = [];
    while (!(seen = await afterTexts()).some((t) => t === "=> 55")) {
      if (Date.now() > deadline) {
        throw new Error(`no "=> 55" after the form; decorations: ${JSON.stringify(seen)}`);
      }
      await page.waitForTimeout(200);
    }
  });

  await step("the full value shows on hover", async () => {
    // The decoration is on the form's last character; its `::after` holds the inline text.
    const box = await page.evaluate(() => {
      const span = [...document.querySelectorAll(".monaco-editor .view-lines span")].find((e) =>
        getComputedStyle(e, "::after").content.includes("=> 55"),
      );
      const r = span?.getBoundingClientRect();
      return r && { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    });
    if (box === undefined) {
      throw new Error("no element carries the inline result");
    }
    await page.mouse.move(box.x, box.y);
    await page.locator(".monaco-hover", { hasText: "Yin: value" }).filter({ hasText: "steps" }).waitFor();
    await page.mouse.move(900, 450);
    await page.keyboard.press("Escape");
  });

  await step("Evaluate Current Form with a selection evaluates each of its forms", async () => {
    await page.keyboard.press("Control+a");
    await page.keyboard.press("Control+Enter");
    const forms = demo.filter((l) => l.startsWith("(")).length;
    const deadline = Date.now() + 30_000;
    let seen = [];
    while ((seen = await afterTexts()).filter((t) => t.startsWith("=> ")).length < forms) {
      if (Date.now() > deadline) {
        throw new Error(`expected ${forms} results after the forms; decorations: ${JSON.stringify(seen)}`);
      }
      await page.waitForTimeout(200);
    }
    await goToLine(evalLine);
    await page.mouse.move(900, 450);
    await page.screenshot({ path: path.join(images, "vscode-eval.png") });
  });

  await step("Show Server Text opens the server's copy", async () => {
    await palette("Yin: Show Server Text");
    await page.locator(".tabs-container .tab", { hasText: "demo.yin (server)" }).waitFor();
    const lines = page.locator(".editor-group-container.active .view-lines", { hasText: "(defn area" });
    await lines.waitFor();
    await page.keyboard.press("Control+w");
  });

  await step("Run Datalog Query shows a table", async () => {
    await palette("Yin: Run Datalog Query");
    const input = page.locator(".quick-input-widget input");
    await input.waitFor();
    await input.fill('[:find ?name :where [?d :yin/type :def] [?d :yin/name ?name]]');
    await page.keyboard.press("Enter");
    const table = page.frameLocator("iframe.webview").frameLocator("iframe").locator("table");
    await table.locator("td", { hasText: /^area$/ }).waitFor();
    await page.keyboard.press("Control+w");
  });

  await step("Run Datalog Query runs the active .edn file", async () => {
    await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "calls.edn" }).click();
    await page.locator(".tabs-container .tab.active", { hasText: "calls.edn" }).waitFor();
    await palette("Yin: Run Datalog Query");
    const view = page.frameLocator("iframe.webview").frameLocator("iframe");
    const reduce = view.locator("tr").filter({ has: view.locator("td", { hasText: /^reduce$/ }) });
    await reduce.locator("td", { hasText: /^1$/ }).waitFor();
    await page.mouse.move(900, 450);
    await page.screenshot({ path: path.join(images, "vscode-query.png") });
    await page.keyboard.press("Control+w");
  });

  await step("Debug fills the Continuation view while stepping", async () => {
    // A click gives the focus back to the workbench: it was in the closed webview's frame.
    await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "demo.yin" }).dblclick();
    await page.locator(".tabs-container .tab.active", { hasText: "demo.yin" }).waitFor();
    await goToLine(evalLine);
    await palette("Yin: Debug Form at Cursor");
    const continuation = pane("Continuation");
    await continuation.waitFor();
    const rows = continuation.locator(".monaco-list-row");
    // Step until two frames show; each step waits for the view to show the new step.
    // The first step shown counts the earlier forms' steps too.
    await continuation.getByText(/Step \d+,/).waitFor();
    const shownStep = async () => Number((await continuation.innerText()).match(/Step (\d+),/)?.[1]);
    for (let i = 0, step = await shownStep(); i < 40 && (await rows.count()) < 2; i++, step++) {
      await page.keyboard.press("F10");
      await continuation.getByText(`Step ${step + 1},`).waitFor({ timeout: 10_000 });
    }
    if ((await rows.count()) < 2) {
      throw new Error(`stepping left the Continuation view with fewer than two frames: ${await continuation.innerText()}`);
    }
    const last = await shownStep();
    await page.keyboard.press("Shift+F10");
    await continuation.getByText(`Step ${last - 1},`).waitFor({ timeout: 10_000 });
    await page.keyboard.press("F10");
    await continuation.getByText(`Step ${last},`).waitFor({ timeout: 10_000 });
    // The summary counts the frames the tree shows.
    await continuation.getByText(`; ${await rows.count()} frames`).waitFor({ timeout: 5_000 });
    if ((await pane("Environment").locator(".monaco-list-row").count()) === 0) {
      throw new Error("the Environment view is empty while stepping inside a call");
    }
    await page.mouse.move(900, 450);
    await page.screenshot({ path: path.join(images, "vscode-debug.png") });
  });

  await step("Continue runs the form to its value", async () => {
    await page.keyboard.press("F5");
    await pane("Continuation").getByText("Done after").waitFor();
  });

  await step("Debug follows a step into another file's function, and its frame opens that file", async () => {
    // steps.yin calls `scaled`, which helpers.yin (not open) defines.
    await page.keyboard.press("Control+Shift+E");
    await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "steps.yin" }).dblclick();
    await page.locator(".tabs-container .tab.active", { hasText: "steps.yin" }).waitFor();
    await page.locator(".editor-group-container.active .view-lines").first().click();
    await goToLine(2);
    await palette("Yin: Debug Form at Cursor");
    const continuation = pane("Continuation");
    await continuation.getByText("Step 0,").waitFor();
    await page.keyboard.press("F10");
    await continuation.getByText("Step 1,").waitFor({ timeout: 10_000 });
    await page.keyboard.press("F10");
    // The control is in helpers.yin: the summary says where, and the file opens beside.
    await continuation.getByText("Step 2, evaluating call in helpers.yin:6:3;").waitFor({ timeout: 10_000 });
    const helpersTab = page.locator(".tabs-container .tab", { hasText: "helpers.yin" });
    await helpersTab.waitFor();
    if ((await page.locator(".editor-group-container").count()) < 2) {
      throw new Error("helpers.yin did not open beside steps.yin");
    }
    await page.keyboard.press("F10");
    await continuation.getByText("Step 3, evaluating call in helpers.yin:6:8; 2 frames").waitFor({ timeout: 10_000 });
    // The frame waiting in the callee names its file first.
    const frame = continuation.locator(".monaco-list-row", { hasText: "helpers.yin:6:3  waiting for value 3 of 3" });
    await frame.waitFor({ timeout: 10_000 });
    await page.mouse.move(900, 450);
    await page.screenshot({ path: path.join(images, "vscode-debug-files.png") });
    // Closed, then opened again by the frame, at the frame's code (selected).
    await helpersTab.hover();
    await helpersTab.locator(".tab-actions .action-label").click();
    await helpersTab.waitFor({ state: "detached" });
    await frame.click();
    const group = page.locator(".editor-group-container").filter({
      has: page.locator(".tab.active", { hasText: "helpers.yin" }),
    });
    await group.waitFor();
    await group.locator(".view-overlays .selected-text").first().waitFor({ state: "attached" });
    await page.keyboard.press("Shift+F5");
    await palette("View: Close All Editors");
  });

  await step("live: Ctrl+Enter evaluates the innermost form at the cursor", async () => {
    // The debugging steps left the Yin side bar open: back to the Explorer.
    await page.keyboard.press("Control+Shift+E");
    await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "live.yin" }).dblclick();
    await page.locator(".tabs-container .tab.active", { hasText: "live.yin" }).waitFor();
    await page.locator(".editor-group-container.active .view-lines").first().click();
    // On the opener of `(+ 1 2)` inside `(twice (+ 1 2))`: that form, not the whole line.
    const line = liveLine("(twice (+ 1 2))");
    await cursorAt(line, live[line - 1].indexOf("(+") + 1);
    await page.keyboard.press("Control+Enter");
    await waitForAfterTexts((t) => t.includes("=> 3"), 'no "=> 3" after the innermost form');
  });

  await step("live: Alt+Enter evaluates the top-level form, loading what it needs past a failing form", async () => {
    // `(/ 1 0)` above does not run; `twice`, which the form calls, is loaded first.
    await page.keyboard.press("Alt+Enter");
    await waitForAfterTexts((t) => t.includes("=> 8"), 'no "=> 8" after the top-level form');
  });

  await step("live: Ctrl+Enter on a selection evaluates each of its forms", async () => {
    await goToLine(liveLine("(str"));
    await page.keyboard.press("Home");
    await page.keyboard.press("Shift+End");
    await page.keyboard.press("Control+Enter");
    await waitForAfterTexts(
      (t) => t.some((x) => x.startsWith("=> ") && x.includes("ab")) && t.some((x) => x.startsWith("=> ") && x.includes("cd")),
      "the selection's two forms do not both show a value",
    );
  });

  await step("live: an error's range is a yin eval diagnostic until the next evaluation", async () => {
    await cursorAt(liveLine("(/ 1 0)"), 1);
    await page.keyboard.press("Control+Enter");
    await waitForAfterTexts((t) => t.some((x) => x.startsWith("error: ")), "no error shown after (/ 1 0)");
    await page.locator(".editor-group-container.active .squiggly-error").first().waitFor();
    await page.keyboard.press("Control+Shift+M");
    await page.locator(".markers-panel .monaco-list-row", { hasText: "yin eval" }).first().waitFor();
    await page.locator(".editor-group-container.active .view-lines").first().click();
    await cursorAt(liveLine("(+ 20 22)"), 1);
    await page.keyboard.press("Control+Enter");
    await waitForAfterTexts((t) => t.includes("=> 42"), 'no "=> 42" after (+ 20 22)');
    await page.locator(".markers-panel .monaco-list-row", { hasText: "yin eval" }).first().waitFor({ state: "detached" });
  });

  await step("live: an error inside a definition is marked where it failed, its trace logged", async () => {
    await cursorAt(liveLine('(twice "x")'), 1);
    await page.keyboard.press("Control+Enter");
    await waitForAfterTexts((t) => t.some((x) => x.startsWith("error: inc")), 'no error after (twice "x")');
    // The failure is in twice's body, not in the evaluated form.
    const body = liveLine("(* 2 (inc n))");
    const column = live[body - 1].indexOf("(inc") + 1;
    await page.locator(".markers-panel .monaco-list-row", { hasText: "yin eval" })
      .filter({ hasText: `[Ln ${body}, Col ${column}]` }).first().waitFor();
    await palette("Yin: Show REPL Log");
    const log = page.locator(".panel .monaco-editor .view-lines").first();
    // A trace line: a frame of twice, at the place it failed (Monaco shows spaces as U+00A0: \s).
    await log.filter({ hasText: new RegExp(`;\\s+at\\s.*in\\stwice\\slive\\.yin:${body}:${column}`) }).waitFor();
    await page.keyboard.press("Control+Shift+M");
    await page.locator(".editor-group-container.active .view-lines").first().click();
  });

  await step("live: Ctrl+Shift+Alt+Enter evaluates from the start of the file to the cursor", async () => {
    await palette("Yin: Clear Results");
    await waitForAfterTexts((t) => t.length === 0, "Clear Results left results");
    await cursorAt(liveLine("(str") + 1, 1);
    await page.keyboard.press("Control+Shift+Alt+Enter");
    // The failing first form is marked and the run goes on to the last form before the cursor.
    await waitForAfterTexts(
      (t) => t.some((x) => x.startsWith("error: ")) && t.some((x) => x.startsWith("=> ") && x.includes("cd")),
      "no error on the first form and value of the last one",
    );
  });

  await step("live: Ctrl+Alt+C Enter loads the file", async () => {
    await palette("Yin: Clear Results");
    await waitForAfterTexts((t) => t.length === 0, "Clear Results left results");
    await page.locator(".editor-group-container.active .view-lines").first().click();
    await page.keyboard.press("Control+Alt+c");
    await page.keyboard.press("Enter");
    await waitForAfterTexts(
      (t) => t.some((x) => x.startsWith("error: ")) && t.includes("=> 42"),
      "loading the file shows no failure on (/ 1 0) or no value of the last form",
    );
  });

  await step("live: a runaway loop shows in the status bar and is interrupted by Ctrl+Alt+C Ctrl+Alt+D", async () => {
    const line = liveLine("(loop");
    await cursorAt(line, live[line - 1].indexOf("(") + 1);
    await page.keyboard.press("Control+Enter");
    const status = page.locator(".statusbar-item", { hasText: "yin: evaluating" });
    await status.waitFor();
    const t = Date.now();
    await page.keyboard.press("Control+Alt+c");
    await page.keyboard.press("Control+Alt+d");
    await waitForAfterTexts((x) => x.includes("interrupted"), "the loop was not shown as interrupted", 5_000);
    await status.waitFor({ state: "detached" });
    if (Date.now() - t > 5_000) {
      throw new Error(`the interrupt took ${Date.now() - t} ms`);
    }
    // The session survived: it still evaluates.
    await cursorAt(liveLine("(twice (+ 1 2))"), 1);
    await page.keyboard.press("Control+Enter");
    await waitForAfterTexts((x) => x.includes("=> 8"), "no value after the interrupt");
  });

  await step("live: the inspector pages through (range 1000000)", async () => {
    const line = liveLine("(range 1000000)");
    await cursorAt(line, live[line - 1].indexOf("(") + 1);
    await page.keyboard.press("Control+Enter");
    const cutValue = /^=> [([]0 1 2 /;
    const [inline] = await waitForAfterTexts(
      (t) => t.some((x) => cutValue.test(x)),
      "no cut value after (range 1000000)",
    ).then((t) => t.filter((x) => cutValue.test(x)));
    if (!inline.endsWith("...") || inline.length > 100) {
      throw new Error(`the inline value is not cut to yin.eval.inlineMaxLength with ...: ${inline}`);
    }
    // The hover carries at most 1,000 characters of the value, not the megabyte.
    const box = await page.evaluate(() => {
      const span = [...document.querySelectorAll(".monaco-editor .view-lines span")].find((e) =>
        /^"=> \[0 1 2 /.test(getComputedStyle(e, "::after").content),
      );
      const r = span?.getBoundingClientRect();
      return r && { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    });
    if (box === undefined) {
      throw new Error("no element carries the inline result of (range 1000000)");
    }
    await page.mouse.move(box.x, box.y);
    const hover = page.locator(".monaco-hover", { hasText: "Yin: value" }).filter({ hasText: "The value is cut" });
    await hover.waitFor();
    const hoverText = await hover.innerText();
    if (hoverText.length > 1_500) {
      throw new Error(`the hover shows ${hoverText.length} characters`);
    }
    await page.mouse.move(900, 450);
    await page.keyboard.press("Escape");
    await palette("Yin: Inspect Value");
    const inspector = pane("Yin Inspector");
    const rows = inspector.locator(".monaco-list-row");
    const first = rows.filter({ hasText: /^\s*0\s*#0\s*$/ }).first();
    await first.waitFor();
    // A click on a leaf focuses the tree (one on the root would fold it); End scrolls to the last row.
    await first.click();
    await page.keyboard.press("End");
    const more = rows.filter({ hasText: "Load more (100/1,000,000)" });
    await more.waitFor();
    await more.click();
    await rows.filter({ hasText: "Load more (100/1,000,000)" }).waitFor({ state: "detached" });
    await page.keyboard.press("End");
    await rows.filter({ hasText: "Load more (200/1,000,000)" }).waitFor();
    await page.mouse.move(900, 450);
    await page.screenshot({ path: path.join(images, "vscode-inspector.png") });
    // Copy Value (the row's inline action) puts the element on the clipboard.
    const row = rows.filter({ hasText: /^\s*199\s*#199\s*$/ });
    await row.hover();
    await row.locator('.action-label[aria-label="Copy Value"]').click();
    await page.locator(".statusbar-item", { hasText: "Yin: copied 3 characters" }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    if (copied !== "199") {
      throw new Error(`Copy Value put ${JSON.stringify(copied)} on the clipboard`);
    }
  });

  await step("live: Ctrl+Alt+C C writes the value as a comment below, replacing the last one", async () => {
    // `(swap! counter inc)` gives a new value each time: the second comment must replace the first.
    await page.locator(".editor-group-container.active .view-lines").first().click();
    const comments = async (what) => {
      const text = await waitForEditorText((t) => /\(swap! counter inc\)\n;; => \d+\n\(\+ 40 2\)/.test(t), what);
      return [...text.matchAll(/^;; => (\d+)$/gm)].map((m) => Number(m[1]));
    };
    await cursorAt(liveLine("(swap!"), 1);
    await page.keyboard.press("Control+Alt+c");
    await page.keyboard.press("c");
    const [before] = await comments("no ;; => N below (swap! counter inc)");
    await cursorAt(liveLine("(swap!"), 1);
    await page.keyboard.press("Control+Alt+c");
    await page.keyboard.press("c");
    await waitForEditorText((t) => t.includes(`;; => ${before + 1}`), `no ;; => ${before + 1} after a second evaluation`);
    const after = await comments("the comment moved");
    if (after.length !== 1) {
      throw new Error(`evaluating to a comment twice left the comments ${JSON.stringify(after)}`);
    }
  });

  await step("live: Ctrl+Alt+C R replaces a form with its value, and refuses a cut value", async () => {
    // The comment above pushed `(+ 40 2)` one line down.
    await cursorAt(liveLine("(+ 40 2)") + 1, 1);
    await page.keyboard.press("Control+Alt+c");
    await page.keyboard.press("r");
    await waitForEditorText((t) => t.split("\n").includes("42"), "(+ 40 2) was not replaced by 42");
    const line = liveLine("(range 1000000)");
    await cursorAt(line, live[line - 1].indexOf("(") + 1);
    await page.keyboard.press("Control+Alt+c");
    await page.keyboard.press("r");
    await toast("not replaced").first().waitFor();
    await clearNotifications();
  });

  await step("live: the Yin REPL log has the form and its value", async () => {
    await cursorAt(liveLine("(twice (+ 1 2))"), 1);
    await page.keyboard.press("Alt+Enter");
    await palette("Yin: Show REPL Log");
    // The log's last lines: this evaluation's place, form, value and cost.
    const log = page.locator(".panel .monaco-editor .view-lines").first();
    await log.filter({ hasText: `live.yin:${liveLine("(twice (+ 1 2))")}:1 (top-level form)` }).waitFor();
    await log.filter({ hasText: "(twice (+ 1 2))" }).filter({ hasText: "=> 8" }).waitFor();
  });

  await step("live: session info lists the loaded definitions; reset forgets them", async () => {
    await page.locator(".editor-group-container.active .view-lines").first().click();
    await palette("Yin: Show What the Session Has Loaded");
    await page.locator(".quick-input-list .monaco-list-row", { hasText: "twice" }).first().waitFor();
    await page.keyboard.press("Escape");
    await palette("Yin: Reset Session");
    await toast("session was reset").first().waitFor();
    await clearNotifications();
  });

  await step("live: an out-of-range setting is refused with a message naming it", async () => {
    const settings = process.env.YIN_TEST_MACHINE_SETTINGS;
    const saved = fs.readFileSync(settings, "utf8");
    const bad = { ...JSON.parse(saved), "yin.eval.timeoutMs": -5 };
    fs.writeFileSync(settings, JSON.stringify(bad, null, 2));
    await page.locator(".editor-group-container.active .view-lines").first().click();
    await cursorAt(liveLine("(twice (+ 1 2))"), 1);
    const message = toast("yin.eval.timeoutMs").filter({ hasText: "got -5" });
    // The extension host sees the file change after a moment: ask until it answers.
    const deadline = Date.now() + 20_000;
    for (;;) {
      await page.keyboard.press("Control+Enter");
      if (await message.first().waitFor({ timeout: 1_000 }).then(() => true, () => false)) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error("no message names yin.eval.timeoutMs after setting it to -5");
      }
    }
    fs.writeFileSync(settings, saved);
    await clearNotifications();
  });

  await step("a missing server binary is reported with how to install it", async () => {
    // yin.serverPath is machine-scoped (tests/vscode/run); changing it restarts the client.
    fs.writeFileSync(process.env.YIN_TEST_MACHINE_SETTINGS, '{ "yin.serverPath": "/nonexistent/yin" }\n');
    await page
      .locator(".notifications-toasts .notification-toast", { hasText: "scripts/setup" })
      .filter({ hasText: "/nonexistent/yin" })
      .waitFor();
  });
} catch (e) {
  fs.mkdirSync(artifacts, { recursive: true });
  const shot = path.join(artifacts, `vscode-failure.png`);
  await page.screenshot({ path: shot }).catch(() => undefined);
  console.error(`FAIL ${current}: ${e instanceof Error ? e.message : String(e)}`);
  console.error(`     screenshot: ${path.relative(root, shot)}`);
  await context.close();
  process.exit(1);
}
await context.close();
console.log(`VS Code end-to-end: all steps passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
