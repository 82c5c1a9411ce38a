// The journeys of Agora's three kinds of users, in a real browser against the real server
// on the demo organisation: employees, the review board, moderators. Every page a journey
// reaches is checked with axe-core (serious and critical violations fail) and saved as a
// screenshot under target/screenshots. Journeys 1 and 2 also run at phone width and with
// the keyboard alone.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
  DESKTOP,
  PASSWORD,
  PHONE,
  check,
  eventually,
  newTab,
  outbox,
  session,
  signIn,
  startServer,
  tabTo,
  typeInto,
  visit,
} from "./lib.mjs";

let site;
before(async () => {
  site = await startServer();
});
after(async () => {
  await site?.stop();
});

const VARIANTS = [
  { name: "desktop", viewport: DESKTOP, keyboard: false },
  { name: "phone", viewport: PHONE, keyboard: false },
  { name: "keyboard", viewport: DESKTOP, keyboard: true },
];

/** Fills a field by mouse, or by keyboard alone. */
async function fill(page, keyboard, selector, text) {
  if (keyboard) {
    await typeInto(page, selector, text);
  } else {
    await page.fill(selector, text);
  }
}

/** Presses a button by mouse, or reaches it with Tab and presses Enter. */
async function press(page, keyboard, selector) {
  if (keyboard) {
    await tabTo(page, selector);
    await page.keyboard.press("Enter");
  } else {
    await page.click(selector);
  }
}

for (const [index, variant] of VARIANTS.entries()) {
  test(`1. a newcomer registers, joins, posts, is mentioned live and replies (${variant.name})`, async () => {
    const { viewport, keyboard } = variant;
    const handle = `newcomer${index}`;
    const page = await session(site, viewport);
    await visit(page, "/register", `j1-register-${variant.name}`);
    await fill(page, keyboard, "#email", `${handle}@northwind.example`);
    await fill(page, keyboard, "#name", `New Comer ${index}`);
    await fill(page, keyboard, "#handle", handle);
    await fill(page, keyboard, "#password", PASSWORD);
    await press(page, keyboard, "main form button[type=submit]");
    await page.waitForURL((url) => !url.pathname.startsWith("/register"));
    await check(page, `j1-welcome-${variant.name}`);
    if (viewport === PHONE) {
      // On a phone the links fold behind "Menu"; the bell stays in sight.
      assert.equal(await page.isVisible("nav >> text=Communities"), false);
      assert.equal(await page.isVisible("#bell"), true);
      await page.click(".menu-toggle");
      await check(page, "j1-menu-phone");
      await page.click("nav >> text=Communities");
      await page.waitForURL(/\/c$/);
    }

    await visit(page, "/c/plant-safety", `j1-community-${variant.name}`);
    await press(page, keyboard, 'form[action="/c/plant-safety/join"] button');
    await page.waitForSelector('form[action="/c/plant-safety/leave"]');
    await fill(page, keyboard, "#title", `Hello from newcomer ${index}`);
    await fill(page, keyboard, "#body", "Started on the night shift in unit C4 this week. Glad to be here!");
    await press(page, keyboard, "form.composer button[type=submit]");
    await page.waitForURL(/#post-\d+$/);
    const postId = page.url().match(/#post-(\d+)$/)[1];
    await page.waitForSelector(`#post-${postId}`);
    await check(page, `j1-posted-${variant.name}`);

    // A colleague welcomes them by name; their bell rings on the page they are on.
    const unread = async () => ((await page.isVisible("#bell-count")) ? Number(await page.textContent("#bell-count")) : 0);
    const before = await unread();
    const carl = await signIn(site, "carl");
    await carl.goto(`/posts/${postId}`);
    await carl.fill("#comment-body", `Welcome @${handle}! Ask me anything about the C4 safety rounds.`);
    await carl.click("form.composer button[type=submit]");
    await eventually("the bell to ring", async () => (await unread()) > before);

    await press(page, keyboard, "#bell");
    await page.waitForURL(/\/notifications/);
    await check(page, `j1-notifications-${variant.name}`);
    await press(page, keyboard, 'form[action="/notifications/open"] button');
    await page.waitForURL(new RegExp(`/posts/${postId}`));
    await check(page, `j1-post-${variant.name}`);

    // The reply box folds out under the comment.
    if (keyboard) {
      await tabTo(page, ".reply-box summary");
      await page.keyboard.press("Enter");
      await typeInto(page, ".reply-box textarea", "Thanks Carl, I will join Thursday's round.");
      await tabTo(page, ".reply-box button[type=submit]");
      await page.keyboard.press("Enter");
    } else {
      await page.click(".reply-box summary");
      await page.fill(".reply-box textarea", "Thanks Carl, I will join Thursday's round.");
      await page.click(".reply-box button[type=submit]");
    }
    await page.waitForSelector(".reply >> text=Thanks Carl, I will join Thursday's round.");
    await check(page, `j1-replied-${variant.name}`);

    // And thanks Carl with a reaction: the buttons share one form, each posting its own kind.
    await page.goto(`/posts/${postId}`);
    const celebrate = '.comment.card > footer button[data-kind="celebrate"]';
    await press(page, keyboard, celebrate);
    await page.waitForSelector(`${celebrate}[aria-pressed="true"]`);
    assert.equal(await page.textContent(`${celebrate} .count`), "1");
    await carl.context().close();
    await page.context().close();
  });
}

const IDEAS = [
  ["Heat-resistant jackets for the steam valves in C4", "fritz"],
  ["Insulating jackets for steam flanges on the headers", "carl"],
  ["Thermal covers for hot steam valves and flanges", "stephanie"],
];

for (const [index, variant] of VARIANTS.entries()) {
  test(`2. an employee submits an idea, sees a similar one, and a colleague's vote arrives live (${variant.name})`, async () => {
    const { viewport, keyboard } = variant;
    const [title, colleague] = IDEAS[index];
    const page = await signIn(site, "marie", viewport);
    await visit(page, "/ideas/new", `j2-new-idea-${variant.name}`);
    await fill(page, keyboard, "#title", title);
    // Before submitting: the idea that exists already is suggested.
    await page.waitForSelector("#similar-ideas a:has-text('Removable thermal jackets')");
    await fill(page, keyboard, "#problem", "Hot, bare valves waste steam and burn hands.");
    await fill(page, keyboard, "#proposal", "Fit removable covers on the hottest fittings first.");
    await fill(page, keyboard, "#benefit", "Less heat lost; safer valve work.");
    await check(page, `j2-similar-${variant.name}`);
    await press(page, keyboard, 'button[name="action"][value="submit"]');
    await page.waitForURL(/\/ideas\/\d+$/);
    const ideaId = page.url().match(/\/ideas\/(\d+)$/)[1];
    assert.equal((await page.textContent("#vote-count")).trim(), "0");
    await check(page, `j2-idea-${variant.name}`);

    const voter = await signIn(site, colleague);
    await voter.goto(`/ideas/${ideaId}`);
    await voter.click("button:has-text('Vote for this idea')");
    await voter.waitForSelector("button:has-text('Voted')");
    await eventually("the vote to arrive live", async () => (await page.textContent("#vote-count")).trim() === "1");
    await voter.context().close();
    await page.context().close();
  });
}

test("3. an admin closes the quarter; executives score and fund on live boards; the author hears of it", async () => {
  const ada = await signIn(site, "ada");
  await visit(ada, "/review", "j3-review-index");
  const closeForm = ada.locator("form[action$='/close']").first();
  await closeForm.locator("input[name=early]").check();
  await closeForm.locator("button[type=submit]").click();
  await ada.waitForURL(/\/review\/\d{4}-Q\d$/);
  const board = new URL(ada.url()).pathname;

  const grace = await signIn(site, "grace");
  const katherine = await signIn(site, "katherine");
  await visit(grace, board, "j3-board");
  await katherine.goto(board);

  // Grace scores the first brief she may score; Katherine's board shows it at once.
  const brief = grace.locator("article.brief:has(form.score-form)").first();
  const briefId = (await brief.getAttribute("id")).replace("brief-", "");
  const title = (await brief.locator(`#title-${briefId}`).textContent()).trim();
  for (const criterion of ["impact", "feasibility", "fit"]) {
    await brief.locator(`input[name=${criterion}][value="4"]`).check({ force: true });
  }
  await brief.locator("form.score-form button[type=submit]").click();
  await eventually("the score on the second board", async () =>
    (await katherine.textContent(`#tally-${briefId}`)).includes("1 of"),
  );

  const decided = grace.locator(`#brief-${briefId}`);
  await decided.locator("details.decide summary").click();
  await decided.locator("input[name=decision][value=funded]").check();
  await decided.locator("input[name=budget]").fill("120000");
  await decided.locator("input[name=sponsor]").fill("@grace");
  await decided.locator("textarea[name=rationale]").fill("Quick payback; start with unit C4.");
  await decided.locator("form.decision-form button[type=submit]").click();
  await eventually("the decision on the second board", async () =>
    (await katherine.textContent(`#outcome-${briefId}`)).includes("Funded"),
  );
  await check(katherine, "j3-board-decided");

  // The author reads the decision on the idea and in their mail.
  const authorHandle = await grace.evaluate(async (id) => {
    const idea = await (await fetch(`/api/v1/ideas/${id}`)).json();
    return idea.author;
  }, briefId);
  const author = await signIn(site, authorHandle);
  await visit(author, `/ideas/${briefId}`, "j3-idea-funded");
  assert.match(await author.textContent("main"), /Review board: funded/);
  await eventually("the decision mail", async () =>
    outbox(site).some((mail) => mail.includes(`${authorHandle}@northwind.example`) && mail.includes(title.slice(0, 20))),
  );
  for (const page of [ada, grace, katherine, author]) await page.context().close();
});

test("4. a member reports a post; a moderator hides it; it leaves the member's open feed", async () => {
  const marie = await signIn(site, "marie");
  await marie.goto("/c/plant-safety");
  const card = marie.locator("article.post:has-text('Near miss: forklift')");
  const postId = (await card.getAttribute("id")).replace("post-", "");
  await visit(marie, `/posts/${postId}`, "j4-post");
  await marie.click(".post-actions .report-box summary");
  await marie.selectOption(`#report-reason-post-${postId}`, "confidential");
  await marie.fill(`#report-note-post-${postId}`, "Names a visitor who asked not to be named.");
  await marie.click(".post-actions .report-box button[type=submit]");
  await marie.waitForSelector(".notice");
  await visit(marie, "/c/plant-safety", "j4-feed-before");
  assert.equal(await marie.isVisible(`#post-${postId}`), true);

  const carl = await signIn(site, "carl");
  await visit(carl, "/admin/moderation", "j4-queue");
  const entry = carl.locator(`form.moderate:has(input[name=target_id][value="${postId}"])`);
  await entry.locator("select[name=action]").selectOption("hide");
  await entry.locator("textarea[name=reason]").fill("Names a visitor; hidden until the author edits it.");
  await entry.locator("button[type=submit]").click();
  await marie.waitForSelector(`#post-${postId}`, { state: "detached" });
  await visit(marie, "/", "j4-home-after");
  assert.doesNotMatch(await marie.textContent("main"), /Near miss: forklift/);
  await marie.context().close();
  await carl.context().close();
});

test("5. expert search finds the planted expert with the evidence", async () => {
  // A colleague writes about a subject nobody else has touched.
  const expert = await signIn(site, "chien-shiung");
  for (const [title, body] of [
    ["Cryogenic valve seals: what failed in the LNG line", "PTFE seals cracked below -150 °C; filled PTFE held."],
    ["Checklist for cryogenic valve maintenance", "Warm the bonnet slowly; never torque cryogenic seals cold."],
  ]) {
    await expert.goto("/c/plant-safety");
    await expert.fill("#title", title);
    await expert.fill("#body", body);
    await expert.click("form.composer button[type=submit]");
    await expert.waitForURL(/#post-\d+$/);
  }
  const page = await signIn(site, "alan");
  await eventually("the posts to be searchable", async () => {
    await page.goto("/experts?q=cryogenic");
    return (await page.locator("ol.experts > li").count()) > 0;
  });
  await check(page, "j5-experts");
  const first = page.locator("ol.experts > li").first();
  assert.match(await first.textContent(), /Chien-Shiung Wu/);
  assert.match(await first.textContent(), /Wrote 2 matching pieces/);
  assert.equal(await first.locator(".evidence a:has-text('Cryogenic valve seals')").count(), 1, "the evidence links the post");
  // And the declared, endorsed skills count too.
  await visit(page, "/experts?q=catalysis", "j5-experts-skills");
  assert.match(await page.locator("ol.experts > li").first().textContent(), /Marie Curie[\s\S]*catalysis · 3 endorsements/);
  await expert.context().close();
  await page.context().close();
});

test("6. a private community's content never reaches an outsider, on any page", async () => {
  const canary = "canary-5e1f Contoso merger pre-read";
  const grace = await signIn(site, "grace");
  await grace.goto("/c/exec-board");
  await grace.fill("#title", canary);
  await grace.fill("#body", `Board only: ${canary}. Do not forward. #${"boardonly"}`);
  await grace.click("form.composer button[type=submit]");
  await grace.waitForURL(/#post-\d+$/);
  const postId = grace.url().match(/#post-(\d+)$/)[1];
  await grace.goto(`/posts/${postId}`);
  await grace.fill("#comment-body", `Second ${canary} note for @katherine`);
  await grace.click("form.composer button[type=submit]");
  await grace.waitForSelector(`text=Second ${canary}`);

  const alan = await signIn(site, "alan");
  const pages = [
    "/",
    "/c",
    "/c?q=executive",
    "/search?q=canary-5e1f",
    "/search?q=Contoso",
    "/experts?q=merger",
    "/ideas",
    "/people",
    "/people/grace",
    "/tags/boardonly",
    "/notifications",
    "/leaderboard",
  ];
  for (const path of pages) {
    await alan.goto(path);
    const html = await alan.content();
    // Search pages repeat the query; what must never show is the post, its words or a link.
    const leaked = ["Board only", "pre-read", "Do not forward", `/posts/${postId}`].filter((w) => html.includes(w));
    assert.deepEqual(leaked, [], `${path} shows private content`);
  }
  const hidden = await alan.goto("/c/exec-board");
  assert.equal(hidden.status(), 404);
  assert.equal((await alan.goto(`/posts/${postId}`)).status(), 404);
  assert.ok(!(await alan.content()).includes("canary-5e1f"));
  await check(alan, "j6-not-found");
  await grace.context().close();
  await alan.context().close();
});

test("7. signing out in one tab tells the other tabs, which keep what was being typed", async () => {
  const page = await signIn(site, "marie");
  const other = await newTab(page);
  // Signing out before the other tab's socket is subscribed would test nothing.
  const subscribed = new Promise((resolve) =>
    other.on("websocket", (socket) =>
      socket.on("framereceived", (frame) => String(frame.payload).includes('"subscribed"') && resolve()),
    ),
  );
  await other.goto("/ideas/new");
  await subscribed;
  await other.fill("#title", "A draft worth keeping");
  await page.click("form[action='/logout'] button");
  await eventually("the other tab to say it was signed out", async () => (await other.locator("#signed-out").count()) === 1);
  assert.equal(await other.inputValue("#title"), "A draft worth keeping", "nothing typed is lost");
  assert.equal(await other.getAttribute("#signed-out a", "href"), "/login?next=%2Fideas%2Fnew");
  await check(other, "j7-signed-out");
  await page.context().close();
});

const GALLERY = [
  ["home", "/"],
  ["communities", "/c"],
  ["community", "/c/plant-safety"],
  ["post", "/posts/2"],
  ["ideas", "/ideas"],
  ["idea", "/ideas/1"],
  ["new-idea", "/ideas/new"],
  ["leaderboard", "/leaderboard"],
  ["people", "/people"],
  ["profile", "/people/marie"],
  ["org", "/people?view=org"],
  ["search", "/search?q=steam"],
  ["experts", "/experts?q=steam"],
  ["notifications", "/notifications"],
  ["settings", "/settings"],
  ["review", "/review"],
  ["admin", "/admin"],
  ["moderation", "/admin/moderation"],
  ["admin-settings", "/admin/settings"],
  ["analytics", "/admin/analytics"],
];

test("the main pages, at desktop and phone width, pass the checks (screenshots for everyone to look at)", async () => {
  for (const viewport of [DESKTOP, PHONE]) {
    const ada = await signIn(site, "ada", viewport);
    const width = viewport === PHONE ? "phone" : "desktop";
    for (const [name, path] of GALLERY) {
      const response = await visit(ada, path, `page-${name}-${width}`);
      assert.equal(response.status(), 200, path);
    }
    for (const [name, path] of [["login", "/login"], ["register", "/register"], ["not-found", "/nowhere"]]) {
      const anonymous = await session(site, viewport);
      await visit(anonymous, path, `page-${name}-${width}`);
      await anonymous.context().close();
    }
    await ada.context().close();
  }
});
