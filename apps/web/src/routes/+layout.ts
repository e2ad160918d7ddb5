// A single-page app: the carewatch server guards pages (display token) and serves index.html.
export const ssr = false;
export const prerender = false;
