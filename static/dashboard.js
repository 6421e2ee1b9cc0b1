// The dashboard's range picker. The form works without this script (pick, then Show); with it, the custom dates
// fold away until "Custom" is chosen, and any other choice shows its figures at once.
(() => {
  "use strict";
  const form = document.getElementById("dash-filter");
  if (!form) {
    return;
  }
  const range = form.querySelector("#dash-range");
  const shop = form.querySelector("#dash-shop");
  const custom = [...form.querySelectorAll("[data-custom]")];

  const fold = () => {
    const open = range.value === "custom";
    for (const el of custom) {
      el.hidden = !open;
      for (const input of el.querySelectorAll("input")) {
        input.disabled = !open; // a preset sends no dates
      }
    }
  };

  range.addEventListener("change", () => {
    fold();
    if (range.value === "custom") {
      form.querySelector("#dash-from").focus();
    } else {
      form.requestSubmit();
    }
  });
  if (shop) {
    shop.addEventListener("change", () => form.requestSubmit());
  }
  fold();
})();
