// The current language (a rune, so every label re-renders on switch), persisted in localStorage.
import { DEFAULT_LANG, isLang, messages, type Lang, type Messages } from "./i18n";

const STORAGE_KEY = "carewatch.lang";

class Locale {
  lang = $state<Lang>(DEFAULT_LANG);
  readonly m: Messages = $derived(messages(this.lang));

  /** `?lang=en` wins (and is remembered), then localStorage, then Vietnamese. */
  init(url: URL): void {
    const fromUrl = url.searchParams.get("lang");
    let stored: string | null = null;
    try {
      stored = localStorage.getItem(STORAGE_KEY);
    } catch {
      // Storage can be unavailable (kiosk profiles, privacy modes): the default still works.
    }
    if (isLang(fromUrl)) this.set(fromUrl);
    else this.set(isLang(stored) ? stored : DEFAULT_LANG, false);
  }

  set(lang: Lang, persist = true): void {
    this.lang = lang;
    if (typeof document !== "undefined") document.documentElement.lang = lang;
    if (!persist) return;
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // see init()
    }
  }

  toggle(): void {
    this.set(this.lang === "vi" ? "en" : "vi");
  }
}

export const locale = new Locale();
