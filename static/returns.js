// Live countdowns on /returns. The page is complete without this script (the server writes the time left as of the
// request); with it, each deadline counts down every 15 s, and a row under 4 hours turns urgent.
(() => {
  "use strict";
  const cells = document.querySelectorAll(".countdown[data-deadline]");
  if (cells.length === 0) {
    return;
  }
  // The server's clock, not the browser's, says how long is left.
  const root = document.querySelector("[data-now]");
  const skew = root ? Number(root.getAttribute("data-now")) - Date.now() / 1000 : 0;
  const text = (secs) => {
    if (secs <= 0) {
      return "Deadline passed";
    }
    const mins = Math.floor(secs / 60);
    const days = Math.floor(mins / 1440);
    const hours = Math.floor((mins % 1440) / 60);
    if (days > 0) {
      return days + " d " + hours + " h";
    }
    if (hours > 0) {
      return hours + " h " + (mins % 60) + " min";
    }
    return Math.max(mins, 1) + " min";
  };
  const tick = () => {
    const now = Date.now() / 1000 + skew;
    cells.forEach((el) => {
      const left = Number(el.getAttribute("data-deadline")) - now;
      el.textContent = text(left);
      const row = el.closest("tr");
      if (row) {
        row.classList.toggle("is-urgent", left < 4 * 3600);
      }
    });
  };
  tick();
  setInterval(tick, 15000);
})();
