// On phones the main links fold behind a "Menu" button. Without scripts they simply wrap.
(() => {
  "use strict";
  const nav = document.querySelector(".topbar nav");
  const toggle = nav && nav.querySelector(".menu-toggle");
  if (!toggle) return;
  nav.classList.add("collapsible");
  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    const open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && nav.classList.contains("open")) {
      nav.classList.remove("open");
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });
})();
