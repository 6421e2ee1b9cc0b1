// Live sync progress on Settings -> Shops. The page is complete without this script (the server renders the state
// as of the request); with it, the figures follow the sync: every 2 s while a run is under way, every 15 s
// otherwise, and not at all while the tab is hidden.
(() => {
  "use strict";
  const root = document.querySelector("[data-sync-status]");
  if (!root || !window.fetch) {
    return;
  }
  const url = root.getAttribute("data-sync-status");
  const fast = 2000;
  const slow = 15000;
  let running = root.getAttribute("data-sync-running") === "true";
  let timer = 0;
  let busy = false;

  const schedule = () => {
    clearTimeout(timer);
    timer = 0;
    if (!document.hidden) {
      timer = setTimeout(poll, running ? fast : slow);
    }
  };

  const poll = async () => {
    if (busy) {
      return;
    }
    busy = true;
    try {
      // A signed-out session is redirected to the sign-in page: treat that as a failure, not as data.
      const res = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store", redirect: "error" });
      if (!res.ok) {
        throw new Error("sync status: HTTP " + res.status);
      }
      const status = await res.json();
      status.shops.forEach(applyShop);
      running = status.running;
    } catch {
      running = false; // try again later, slowly
    } finally {
      busy = false;
      schedule();
    }
  };

  const applyShop = (shop) => {
    const card = root.querySelector('[data-sync-shop="' + CSS.escape(shop.shop_id) + '"]');
    if (!card) {
      return;
    }
    card.querySelectorAll("[data-shop-field]").forEach((el) => {
      setText(el, shop[el.getAttribute("data-shop-field")]);
    });
    card.querySelectorAll("[data-shop-show]").forEach((el) => {
      el.hidden = !shop[el.getAttribute("data-shop-show")];
    });
    shop.resources.forEach((r) => {
      const row = card.querySelector('[data-sync-resource="' + CSS.escape(r.resource) + '"]');
      if (row) {
        applyResource(row, r);
      }
    });
  };

  const applyResource = (row, r) => {
    row.setAttribute("data-state", r.state);
    row.querySelectorAll("[data-field]").forEach((el) => {
      setText(el, r[el.getAttribute("data-field")]);
    });
    row.querySelectorAll("[data-show]").forEach((el) => {
      el.hidden = !r[el.getAttribute("data-show")];
    });
    const when = row.querySelector("time[data-field]");
    if (when) {
      if (r.last_success_at) {
        when.setAttribute("datetime", r.last_success_at);
        when.title = r.last_success_text;
      } else {
        when.removeAttribute("datetime");
        when.removeAttribute("title");
      }
    }
    const bar = row.querySelector("progress");
    if (bar) {
      if (r.progress_known) {
        bar.max = r.progress_max;
        bar.value = r.pages_done;
      } else {
        bar.removeAttribute("value"); // indeterminate: the number of pages is not known yet
      }
    }
  };

  const setText = (el, value) => {
    const text = value == null ? "" : String(value);
    if (el.textContent !== text) {
      el.textContent = text; // only on change, so live regions announce real changes
    }
  };

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      clearTimeout(timer);
      timer = 0;
    } else {
      poll();
    }
  });
  schedule();
})();
