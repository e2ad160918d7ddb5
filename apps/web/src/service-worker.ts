/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
// Lets /entry open without a network, so a clerk's queued figures (IndexedDB) survive a reload
// in a dead zone and go out when the network is back. Network first, always: the cache is used
// only when the network fails, and only for the /entry page and the app's own built files (the
// wall and every other page behave exactly as without this worker).
import { build, version } from "$service-worker";

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `carewatch-entry-${version}`;

sw.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(build);
      // The page itself, when this browser is a logged-in clerk's (never a login redirect).
      try {
        const res = await fetch("/entry", { credentials: "same-origin" });
        if (res.ok && !res.redirected) await cache.put("/entry", res);
      } catch {
        // offline already: the page is cached on its next successful load
      }
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("carewatch-entry-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => sw.clients.claim()),
  );
});

sw.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== sw.location.origin) return;
  const isEntryPage = req.mode === "navigate" && url.pathname === "/entry";
  const isAsset = url.pathname.startsWith("/_app/");
  if (!isEntryPage && !isAsset) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const res = await fetch(req);
        // Only a page the server actually served to this clerk (not a login redirect or a 403).
        if (res.ok && res.type === "basic" && !res.redirected) await cache.put(isEntryPage ? "/entry" : req, res.clone());
        return res;
      } catch (e) {
        const hit = await cache.match(isEntryPage ? "/entry" : req);
        if (hit) return hit;
        throw e;
      }
    })(),
  );
});
