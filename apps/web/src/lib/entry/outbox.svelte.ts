// Events entered on /entry wait here (IndexedDB) until the server has them: a form is queued
// before it is sent, and leaves the queue only when the server answered for it — stored (202),
// already stored (200 duplicate: the same event_id, so a retry never makes a second event), or
// refused for good (4xx: shown to the clerk). A network failure or a server fault keeps it for
// the next try (the online event, a timer, the next visit).
import { outboxStore } from "./idb";

export interface QueuedEvent {
  id: string; // = event.event_id
  event: Record<string, unknown> & { event_id: string; type: string };
  queuedAt: number;
}

export interface Problem {
  status: number;
  detail: string | null;
  errors: { path: string; message: string }[];
}

export type SendResult = { kind: "sent"; status: number; seq: number } | { kind: "refused"; problem: Problem } | { kind: "later"; problem: Problem | null };

async function send(event: QueuedEvent["event"]): Promise<SendResult> {
  let res: Response;
  try {
    res = await fetch("/entry/events", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(event),
    });
  } catch {
    return { kind: "later", problem: null };
  }
  let json: Record<string, unknown> | null = null;
  try {
    json = (await res.json()) as Record<string, unknown>;
  } catch {
    // not JSON (a proxy's page)
  }
  if (res.status === 202 || res.status === 200) return { kind: "sent", status: res.status, seq: Number(json?.seq ?? 0) };
  const problem: Problem = {
    status: res.status,
    detail: typeof json?.detail === "string" ? json.detail : null,
    errors: Array.isArray(json?.errors) ? (json.errors as Problem["errors"]) : [],
  };
  // Not logged in any more, throttled, or the server is busy: keep it and try again later.
  if (res.status === 401 || res.status === 429 || res.status >= 500) return { kind: "later", problem };
  return { kind: "refused", problem };
}

class Outbox {
  items = $state<QueuedEvent[]>([]);
  private flushing: Promise<void> | null = null;
  /** Called for each queued event once the server has answered for it. */
  onResult: (item: QueuedEvent, result: SendResult) => void = () => {};

  async load(): Promise<void> {
    const all = await outboxStore.all<QueuedEvent>();
    this.items = all.sort((a, b) => a.queuedAt - b.queuedAt);
  }

  /** Queue (durably) then try to send at once. */
  async submit(event: QueuedEvent["event"]): Promise<SendResult> {
    const item: QueuedEvent = { id: event.event_id, event: $state.snapshot(event) as QueuedEvent["event"], queuedAt: Date.now() };
    await outboxStore.put(item);
    this.items = [...this.items, item];
    await this.flushing; // one sender at a time
    return this.trySend(item);
  }

  private async trySend(item: QueuedEvent): Promise<SendResult> {
    const result = await send(item.event);
    if (result.kind !== "later") {
      await outboxStore.delete(item.id);
      this.items = this.items.filter((i) => i.id !== item.id);
    }
    this.onResult(item, result);
    return result;
  }

  /** Send everything queued, oldest first; stops at the first that must wait. */
  flush(): Promise<void> {
    this.flushing ??= (async () => {
      try {
        for (const item of [...this.items]) {
          if ((await this.trySend(item)).kind === "later") break;
        }
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }
}

export const outbox = new Outbox();
