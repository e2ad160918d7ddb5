// Reload for a new deployment, but never in a loop: at most once a minute per tab.
const KEY = "carewatch.reloadedAt";
const MIN_INTERVAL_MS = 60_000;

export function safeReload(): void {
  let last = 0;
  try {
    last = Number(sessionStorage.getItem(KEY) ?? 0) || 0;
  } catch {
    // no storage: the delay below still spaces reloads
  }
  const wait = Math.max(1_000, last + MIN_INTERVAL_MS - Date.now());
  setTimeout(() => {
    try {
      sessionStorage.setItem(KEY, String(Date.now()));
    } catch {
      // ignore
    }
    location.reload();
  }, wait);
}
