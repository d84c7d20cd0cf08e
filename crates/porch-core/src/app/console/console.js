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
