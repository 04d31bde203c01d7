// Delivery Hub's only script: start GOV.UK Frontend, and again inside anything htmx swaps in.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported", "js-enabled");
initAll();

document.body.addEventListener("htmx:afterSwap", (event) => {
  initAll({ scope: event.detail.target });
});
