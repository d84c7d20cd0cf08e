// The console's one script, progressive enhancement only: every page works without it.
// A "Copy" button beside a read-only field (its data-copy names the field) is shown where
// the clipboard may be written, and says so in its status beside it when it has copied.
for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  if (!field || !navigator.clipboard) continue;
  const status = button.parentElement.querySelector(".copied");
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      if (status) status.textContent = button.dataset.copied;
    } catch {
      field.select();
    }
  });
}

// A theme's editor: the preview's stylesheet (made by the server from the colours in its
// address) follows the colour fields as they change. The contrast report follows on Preview.
const themeForm = document.querySelector("form[data-theme-form]");
const previewSheet = document.querySelector("link[data-preview]");
if (themeForm && previewSheet) {
  themeForm.addEventListener("input", () => {
    const url = new URL(previewSheet.href);
    for (const field of themeForm.querySelectorAll("input[type=color]")) url.searchParams.set(field.name, field.value);
    previewSheet.href = url.href;
  });
}
