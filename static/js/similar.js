// While an idea is typed, asks the server for similar existing ideas (duplicate detection).
(function () {
  "use strict";
  const title = document.getElementById("title");
  const list = document.getElementById("similar-ideas");
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  if (!title || !list) return;
  let timer = null;
  async function look() {
    const problem = (document.getElementById("problem") || {}).value || "";
    const response = await fetch("/api/v1/ideas/similar", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ title: title.value, problem: problem }),
    });
    if (!response.ok) return;
    const found = (await response.json()).items;
    list.replaceChildren();
    if (!found.length) {
      const none = document.createElement("li");
      none.className = "muted";
      none.textContent = title.value.trim() ? "Nothing similar yet." : "Start typing a title.";
      list.append(none);
    }
    found.forEach(function (idea) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = "/ideas/" + idea.id;
      link.textContent = idea.title;
      item.append(link, " · " + idea.votes + " votes");
      list.append(item);
    });
  }
  ["title", "problem"].forEach(function (id) {
    const field = document.getElementById(id);
    if (field) field.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(look, 300); });
  });
})();
