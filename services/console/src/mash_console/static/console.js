// The console's only script (no inline scripts: the Content-Security-Policy forbids them).
// Pages work without it; with it, GOV.UK Frontend components start, queues refresh in place
// and times left count down.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

function timeLeft(seconds) {
  const overdue = seconds < 0;
  const total = Math.floor(Math.abs(seconds) / 60);
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const minutes = total % 60;
  let text;
  if (days) text = `${days} d ${hours} h`;
  else if (hours) text = `${hours} h ${String(minutes).padStart(2, "0")} min`;
  else text = `${minutes} min`;
  return overdue ? `Overdue by ${text}` : `${text} left`;
}

function tick() {
  const now = Date.now();
  for (const el of document.querySelectorAll("[data-deadline]")) {
    const deadline = Date.parse(el.dataset.deadline);
    if (Number.isNaN(deadline)) continue;
    const seconds = (deadline - now) / 1000;
    el.textContent = timeLeft(seconds);
    el.classList.toggle("mash-countdown--overdue", seconds < 0);
    el.classList.toggle("mash-countdown--soon", seconds >= 0 && seconds < 3600);
  }
}

async function refresh(container) {
  try {
    const response = await fetch(container.dataset.refreshUrl, {
      headers: { Accept: "text/html" },
      credentials: "same-origin",
      redirect: "manual",
    });
    if (response.type === "opaqueredirect" || response.status === 401) {
      container.dataset.signedOut = "true";
      return;
    }
    if (!response.ok) return;
    const html = await response.text();
    if (html !== container.dataset.lastHtml) {
      container.dataset.lastHtml = html;
      container.innerHTML = html;
      container.dataset.refreshedAt = new Date().toISOString();
      tick();
    }
  } catch (e) {
    // Offline for a moment: keep showing what we have and try again next time.
  }
}

for (const container of document.querySelectorAll("[data-refresh-url]")) {
  const every = Number(container.dataset.refreshS || "10") * 1000;
  setInterval(() => refresh(container), every);
}
tick();
setInterval(tick, 1000);
