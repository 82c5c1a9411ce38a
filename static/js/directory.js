// Search-as-you-type for the community directory: swaps in the server-rendered list.
// Without JavaScript the search form works as a plain GET.
(function () {
  const input = document.querySelector("[data-live-search]");
  if (!input) return;
  let timer = null;
  let latest = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(async function () {
      const ticket = ++latest;
      const url = input.dataset.liveSearch + "?partial=1&q=" + encodeURIComponent(input.value);
      const response = await fetch(url, { headers: { Accept: "text/html" } });
      if (!response.ok || ticket !== latest) return;
      const list = document.getElementById("directory-list");
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("directory-list");
      if (list && fresh) list.replaceWith(fresh);
      history.replaceState(null, "", "/c?q=" + encodeURIComponent(input.value));
    }, 200);
  });
})();
