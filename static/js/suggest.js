// Search-as-you-type in the top bar: asks /api/v1/search/suggest while typing and lists
// the best titles under the box. Enter without choosing still submits the full search.
(() => {
  const input = document.getElementById("top-q");
  const list = document.getElementById("top-suggestions");
  if (!input || !list) return;
  let timer = null;
  let asked = "";

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
  };

  const show = (hits) => {
    list.replaceChildren();
    for (const hit of hits) {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      const link = document.createElement("a");
      link.href = hit.url;
      link.textContent = hit.title;
      const kind = document.createElement("span");
      kind.className = "muted small";
      kind.textContent = ` ${hit.type}`;
      link.append(kind);
      item.append(link);
      list.append(item);
    }
    list.hidden = hits.length === 0;
    input.setAttribute("aria-expanded", hits.length ? "true" : "false");
  };

  const ask = async () => {
    const q = input.value.trim();
    if (q.length < 2) return close();
    if (q === asked) return;
    asked = q;
    try {
      const response = await fetch(`/api/v1/search/suggest?q=${encodeURIComponent(q)}`, {
        headers: { Accept: "application/json" },
      });
      if (response.ok && input.value.trim() === q) show(await response.json());
    } catch {
      close();
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
    if (event.key === "ArrowDown" && !list.hidden) {
      event.preventDefault();
      list.querySelector("a")?.focus();
    }
  });
  list.addEventListener("keydown", (event) => {
    const links = [...list.querySelectorAll("a")];
    const at = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && at < links.length - 1) links[at + 1].focus();
    if (event.key === "ArrowUp") (at > 0 ? links[at - 1] : input).focus();
    if (event.key === "Escape") {
      close();
      input.focus();
    }
    if (["ArrowDown", "ArrowUp"].includes(event.key)) event.preventDefault();
  });
  document.addEventListener("click", (event) => {
    if (!event.target.closest(".topsearch")) close();
  });
})();
