// Delivery Hub's only script: start GOV.UK Frontend, and again inside anything htmx swaps in.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported", "js-enabled");
initAll();

document.body.addEventListener("htmx:afterSwap", (event) => {
  initAll({ scope: event.detail.target });
});

// Submit waits for a pending autosave: a form marked data-wait-for-autosave first saves every
// section typed in since its last save (its delayed autosave may not have fired yet), waits for
// those saves to finish, then submits.
document.body.addEventListener("input", (event) => {
  if (event.target.matches("textarea[hx-post]")) event.target.dataset.unsaved = "1";
});
document.body.addEventListener("htmx:afterRequest", (event) => {
  const source = event.detail.elt;
  if (source && source.matches && source.matches("textarea[hx-post]") && event.detail.successful) {
    delete source.dataset.unsaved;
  }
});
document.body.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("[data-wait-for-autosave]") || form.dataset.autosaved) return;
  const unsaved = [...document.querySelectorAll("textarea[hx-post][data-unsaved]")];
  const busy = () => document.querySelector(".htmx-request") !== null;
  if (!unsaved.length && !busy()) return;
  event.preventDefault();
  unsaved.forEach((textarea) => textarea.dispatchEvent(new Event("change", { bubbles: true })));
  const started = Date.now();
  const wait = () => {
    const pending = document.querySelector("textarea[hx-post][data-unsaved]") || busy();
    if (pending && Date.now() - started < 10000) {
      window.setTimeout(wait, 100);
      return;
    }
    form.dataset.autosaved = "1";
    form.requestSubmit();
  };
  window.setTimeout(wait, 100);
});
