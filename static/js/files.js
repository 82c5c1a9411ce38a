// Attachments: upload files as soon as they are chosen or dropped on a form (with progress
// and the server's reason when one is refused), and show pictures in a lightbox.
(() => {
  "use strict";
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  const sizeLabel = (n) =>
    n < 1024 ? `${n} B` : n < 1048576 ? `${Math.round(n / 1024)} KB` : `${(n / 1048576).toFixed(1)} MB`;

  function setUp(box) {
    const form = box.closest("form");
    const ids = box.querySelector('input[name="uploads"]');
    const picker = box.querySelector('input[type="file"]');
    const list = box.querySelector(".attach-list");
    let pending = 0;
    box.hidden = false;

    const idList = () => ids.value.split(",").filter(Boolean);
    const remember = (id) => { ids.value = idList().concat(String(id)).join(","); };
    const forget = (id) => { ids.value = idList().filter((x) => x !== String(id)).join(","); };

    function send(file) {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = file.name;
      const progress = document.createElement("progress");
      progress.max = 100;
      progress.value = 0;
      progress.setAttribute("aria-label", `Uploading ${file.name}`);
      item.append(name, " ", progress);
      list.append(item);
      pending += 1;

      const body = new FormData();
      body.append("file", file, file.name);
      const request = new XMLHttpRequest();
      request.open("POST", "/api/v1/uploads");
      request.setRequestHeader("X-CSRF-Token", csrf);
      request.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
      });
      request.addEventListener("loadend", () => {
        pending -= 1;
        progress.remove();
        let answer = null;
        try { answer = JSON.parse(request.responseText); } catch (_) { /* not JSON: a network failure */ }
        if (request.status === 201 && answer && answer.items && answer.items[0]) {
          const stored = answer.items[0];
          remember(stored.id);
          const size = document.createElement("span");
          size.className = "muted small";
          size.textContent = ` ${sizeLabel(stored.size)} `;
          const remove = document.createElement("button");
          remove.type = "button";
          remove.className = "link";
          remove.textContent = "Remove";
          remove.setAttribute("aria-label", `Remove ${stored.name}`);
          remove.addEventListener("click", () => {
            forget(stored.id);
            item.remove();
            fetch(`/api/v1/uploads/${stored.id}`, { method: "DELETE", headers: { "X-CSRF-Token": csrf } });
          });
          name.textContent = stored.name;
          item.append(size, remove);
        } else {
          const reason = answer && answer.error ? answer.error.message : "the upload failed; try again";
          const error = document.createElement("span");
          error.className = "field-error";
          error.setAttribute("role", "alert");
          error.textContent = ` not attached: ${reason}`;
          item.append(error);
        }
      });
      request.send(body);
    }

    // A form sent back with an error keeps the files already uploaded for it.
    if (idList().length > 0) {
      const kept = document.createElement("li");
      const count = idList().length;
      kept.textContent = `${count} ${count === 1 ? "file" : "files"} from before will be attached. `;
      const drop = document.createElement("button");
      drop.type = "button";
      drop.className = "link";
      drop.textContent = "Remove";
      drop.addEventListener("click", () => { ids.value = ""; kept.remove(); });
      kept.append(drop);
      list.append(kept);
    }

    picker.addEventListener("change", () => {
      Array.from(picker.files).forEach(send);
      picker.value = "";
    });
    form.addEventListener("dragover", (event) => {
      if (!event.dataTransfer || !Array.from(event.dataTransfer.types).includes("Files")) return;
      event.preventDefault();
      form.classList.add("dropping");
    });
    form.addEventListener("dragleave", () => form.classList.remove("dropping"));
    form.addEventListener("drop", (event) => {
      if (!event.dataTransfer || event.dataTransfer.files.length === 0) return;
      event.preventDefault();
      form.classList.remove("dropping");
      Array.from(event.dataTransfer.files).forEach(send);
    });
    form.addEventListener("submit", (event) => {
      if (pending > 0) {
        event.preventDefault();
        const wait = document.createElement("li");
        wait.setAttribute("role", "status");
        wait.textContent = "Still uploading; send again when the files are in.";
        list.append(wait);
        setTimeout(() => wait.remove(), 4000);
      }
    });
  }

  function lightbox() {
    const dialog = document.createElement("dialog");
    dialog.className = "lightbox";
    dialog.innerHTML =
      '<figure><img alt=""><figcaption><span></span> · <a download>Download original</a></figcaption></figure>' +
      '<form method="dialog"><button class="button small" autofocus>Close</button></form>';
    document.body.append(dialog);
    dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
    return dialog;
  }

  let dialog = null;
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[data-lightbox]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    dialog = dialog || lightbox();
    const image = dialog.querySelector("img");
    image.src = link.href;
    image.alt = link.dataset.caption || "";
    dialog.querySelector("figcaption span").textContent = link.dataset.caption || "";
    dialog.querySelector("figcaption a").href = link.dataset.original || link.href;
    dialog.showModal();
  });

  document.querySelectorAll("[data-attach]").forEach(setUp);
})();
