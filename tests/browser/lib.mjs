// What the journeys share: the server under test (the real binary on the demo organisation),
// browser sessions, the accessibility check, keyboard navigation and screenshots.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const PASSWORD = "agora-demo-2026";
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };
const SCREENSHOTS = process.env.AGORA_SCREENSHOTS || "target/screenshots";
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `agora serve --demo` on a fresh data dir; resolves once it answers. */
export async function startServer() {
  const binary = process.env.AGORA_BIN;
  assert.ok(binary, "set AGORA_BIN to the agora binary");
  const dataDir = mkdtempSync(join(tmpdir(), "agora-browser-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(binary, ["serve", "--demo", "--bind", `127.0.0.1:${port}`, "--data-dir", dataDir], {
    env: { ...process.env, RUST_LOG: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const health = await fetch(`${base}/healthz`);
      const body = await health.json();
      // Ready when the search index has read the demo's activity (similar ideas, experts).
      if (health.ok && body.search_indexed_through > 0) break;
    } catch {
      // not listening yet
    }
    assert.ok(Date.now() < deadline, "the server did not start within a minute");
    await new Promise((r) => setTimeout(r, 200));
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    base,
    dataDir,
    browser,
    async stop() {
      await browser.close();
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh browser session (its own cookies) at a viewport. */
export async function session(site, viewport = DESKTOP) {
  const context = await site.browser.newContext({ viewport, baseURL: site.base });
  return watched(await context.newPage());
}

/** Another tab of the same session (the same cookies). */
export async function newTab(page) {
  return watched(await page.context().newPage());
}

/** Keeps a page's script errors, for the checks. */
function watched(page) {
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.scriptErrors = errors;
  return page;
}

/** Signs in with the mouse; returns the page. */
export async function signIn(site, handle, viewport = DESKTOP) {
  const page = await session(site, viewport);
  await page.goto("/login");
  await page.fill("#email", `${handle}@northwind.example`);
  await page.fill("#password", PASSWORD);
  await page.click("main button[type=submit]");
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
  return page;
}

/** Serious and critical accessibility violations fail the journey, with where they are. */
export async function checkAccessibility(page, label) {
  // Evaluated through the DevTools protocol: the site's CSP (rightly) refuses injected tags.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(found, [], `accessibility on ${label} (${page.url()})`);
  assert.deepEqual(page.scriptErrors, [], `script errors on ${label}`);
}

/** On a phone nothing may scroll sideways. */
export async function checkFits(page, label) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${label} scrolls sideways by ${overflow}px at ${page.viewportSize().width}px`);
}

/** Goes to a page and checks it; phones also for sideways scrolling. */
export async function visit(page, path, label) {
  const response = await page.goto(path);
  await check(page, label);
  return response;
}

/** The accessibility and layout checks of the page as it is now, and a screenshot. */
export async function check(page, label) {
  await checkAccessibility(page, label);
  if (page.viewportSize().width < 600) await checkFits(page, label);
  await shoot(page, label);
}

export async function shoot(page, label) {
  const name = label.replace(/[^a-z0-9-]+/gi, "-").toLowerCase();
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * Moves the keyboard focus with Tab until it is on `selector` (fails if the element cannot
 * be reached) and checks the focus is visible.
 */
export async function tabTo(page, selector, limit = 120) {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press("Tab");
    const there = await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector);
    if (there) {
      const visible = await page.evaluate(() => {
        const style = getComputedStyle(document.activeElement);
        return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
      });
      assert.ok(visible, `the keyboard focus on ${selector} is not visible`);
      return;
    }
  }
  assert.fail(`${selector} cannot be reached with Tab on ${page.url()}`);
}

/** Types into a field reached by keyboard. */
export async function typeInto(page, selector, text) {
  await tabTo(page, selector);
  await page.keyboard.type(text);
}

/** Mails in the outbox (the file transport writes one `.eml` per mail). */
export function outbox(site) {
  const dir = join(site.dataDir, "outbox");
  let names = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".eml"));
  } catch {
    return [];
  }
  return names.map((n) => readFileSync(join(dir, n), "utf8"));
}

/** Waits for a condition that other sessions or background work make true. */
export async function eventually(what, condition, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await condition()) return;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
