// Drives a real VS Code (code-server, started by tests/vscode/run) in Debian's Chromium with
// playwright-core and checks what a user sees: the lint finding in the Problems panel, an
// inline result after Evaluate, the server's copy of the text, a query's table, and the
// Continuation view filling up while stepping. On failure it saves a screenshot to
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

  await step("Evaluate Top-Level Form evaluates each form of the selection", async () => {
    await page.keyboard.press("Control+a");
    await page.keyboard.press("Control+Shift+Enter");
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
