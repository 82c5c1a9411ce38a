// Live updates over /ws (SPEC §4). Every page works without this script; it adds the
// notification bell's count, the "N new posts" banner, fresh comments on post pages,
// other people's reaction counts and the review board's scores and decisions.
// On reconnect it subscribes with `since`, so the server replays what was missed.
(function () {
  "use strict";
  const viewer = Number(document.body.dataset.viewer || 0);
  if (!viewer || !("WebSocket" in window)) return;
  const root = document.querySelector("[data-live-topics]") || document.body;
  const topics = (root.dataset.liveTopics || "").split(" ").filter(Boolean).concat(["notifications"]);
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  let since = Number(root.dataset.liveSince || 0);
  let retry = 1000;
  const waiting = [];

  function fillTokens(element) {
    element.querySelectorAll('input[name="csrf_token"]').forEach((input) => { input.value = csrf; });
  }

  let unseen = 0;

  function showBanner() {
    const banner = document.getElementById("live-banner");
    if (!banner) return;
    const count = waiting.length || unseen;
    const noun = waiting.length ? "post" : "update";
    banner.textContent = count + " new " + noun + (count === 1 ? "" : "s");
    banner.hidden = false;
  }

  function showWaiting() {
    if (unseen) {
      unseen = 0;
      refresh("#home-feed").then(bindBanner);
      return;
    }
    const list = document.getElementById("feed-items");
    const banner = document.getElementById("live-banner");
    while (waiting.length) {
      const holder = document.createElement("div");
      holder.innerHTML = waiting.shift();
      const card = holder.firstElementChild;
      if (!card || document.getElementById(card.id)) continue;
      fillTokens(card);
      // Newest first, below the pinned posts.
      list.insertBefore(card, card.classList.contains("pinned") ? list.firstChild : list.querySelector("article:not(.pinned)"));
    }
    if (banner) banner.hidden = true;
  }

  // Replaces the given parts of the page with their current version, in one request.
  async function refresh(...selectors) {
    const response = await fetch(location.pathname, { headers: { Accept: "text/html" } });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    selectors.forEach((selector) => {
      const fresh = page.querySelector(selector);
      const current = document.querySelector(selector);
      if (fresh && current) current.replaceWith(fresh);
    });
  }

  // A review board: scores and decisions of the other executives appear as they happen.
  // A brief whose forms someone is using keeps them; only its read-only parts change.
  function refreshBrief(id) {
    const brief = document.getElementById("brief-" + id);
    if (!brief) return;
    const busy = brief.contains(document.activeElement) || brief.querySelector("details[open]");
    const parts = busy ? ["#tally-" + id, "#outcome-" + id] : ["#brief-" + id];
    refresh("#board-progress", "#index-state-" + id, ...parts);
  }

  function countReaction(data, delta) {
    const button = document.querySelector("#post-" + data.post + ' [data-kind="' + data.kind + '"]');
    if (!button) return;
    const count = Math.max(0, Number(button.dataset.count) + delta);
    button.dataset.count = count;
    button.querySelector(".count").textContent = count;
    if (button.tagName === "SPAN") button.hidden = count === 0;
  }

  function ring(unread) {
    const bell = document.getElementById("bell-count");
    if (!bell) return;
    bell.textContent = unread;
    bell.hidden = unread === 0;
    document.getElementById("bell").setAttribute("aria-label", "Notifications, " + unread + " unread");
  }

  function handle(message) {
    const data = message.data || {};
    if (message.topic === "notifications") {
      ring(data.unread);
    } else if (message.topic.startsWith("board:")) {
      refreshBrief(data.object_id);
    } else if (message.topic === "home") {
      if (/^(post\.created|comment\.created|answer\.accepted|community\.created)$/.test(message.verb)) {
        unseen += 1;
        showBanner();
      }
    } else if (/^post\.(hidden|deleted)$/.test(message.verb) && message.topic.startsWith("community:")) {
      // Hidden or deleted: gone from the list at once, for everyone but its moderators.
      const card = document.getElementById("post-" + data.object_id);
      if (card) card.remove();
    } else if (/^post\.(hidden|restored|locked)$/.test(message.verb) && message.topic.startsWith("post:")) {
      location.reload();
    } else if (message.verb === "post.created" && message.topic.startsWith("community:") && message.html) {
      waiting.push(message.html);
      showBanner();
    } else if (message.topic.startsWith("post:") && /^comment\.|^answer\./.test(message.verb)) {
      refresh("#comments");
    } else if (message.topic.startsWith("idea:")) {
      const count = document.getElementById("vote-count");
      if (/^idea\.(un)?voted$/.test(message.verb) && count && typeof data.votes === "number") count.textContent = data.votes;
      if (message.verb === "idea.commented") refresh("#comments");
      if (/^idea\.(transitioned|merged|edited)$/.test(message.verb)) refresh("#" + root.id);
    } else if (data.target_type === "post" && data.actor_id !== viewer) {
      if (message.verb === "reaction.added") countReaction(data, 1);
      if (message.verb === "reaction.removed") countReaction(data, -1);
    }
  }

  // The server closes with this when the sign-in ended elsewhere (signed out in another
  // tab, password changed on another device, account deactivated). Reconnecting would only
  // be refused, and reloading could lose what is being typed here, so the page says so.
  const SIGNED_OUT = 4401;

  function signedOut() {
    if (document.getElementById("signed-out")) return;
    const notice = document.createElement("p");
    notice.id = "signed-out";
    notice.className = "notice warning";
    notice.setAttribute("role", "alert");
    notice.append("You were signed out, so this page no longer updates. ");
    const link = document.createElement("a");
    link.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
    // In a new tab: leaving this one would lose what it holds.
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = "Sign in again (opens a new tab)";
    notice.append(link);
    const main = document.getElementById("main") || document.body;
    main.prepend(notice);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/ws");
    socket.onopen = function () {
      retry = 1000;
      // Pages without a `since` (the bell alone) have nothing to replay.
      socket.send(JSON.stringify({ op: "subscribe", topics: topics, since: "liveSince" in root.dataset ? since : null }));
    };
    socket.onmessage = function (event) {
      const message = JSON.parse(event.data);
      if (message.op === "event") {
        since = Math.max(since, message.id);
        handle(message);
      } else if (message.op === "error" && message.code === "replay_too_long") {
        location.reload();
      }
    };
    socket.onclose = function (event) {
      if (event.code === SIGNED_OUT) {
        signedOut();
        return;
      }
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }

  function bindBanner() {
    const banner = document.getElementById("live-banner");
    if (banner) banner.addEventListener("click", showWaiting);
  }

  bindBanner();
  connect();
})();
