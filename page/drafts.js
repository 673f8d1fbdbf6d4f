// Unsaved work, kept as it is typed in this tab's sessionStorage under the account: it survives an expired login
// (the same account gets it back), a failed save and a reload; a successful save and logout clear it. Never
// localStorage: it holds personal data and must go with the tab.

const PREFIX = 'ybt.draft.';
const DELAY_MS = 300;

/**
 * The draft of the resident form on screen (one per account and tab):
 * { gridCode, gridName, idNumber (null: a new resident), baseVersion, base (the values it was opened with),
 *   values (every field as typed; null: nothing changed), save ({ key, body } of the last save pressed),
 *   visit: { residentIdNumber, values, save } | null }
 */
class DraftSlot {
  constructor(account) {
    this.storageKey = PREFIX + account.id;
    this.timer = null;
    this.closed = false;
    try {
      this.data = JSON.parse(sessionStorage.getItem(this.storageKey) ?? 'null');
    } catch {
      this.data = null; // unreadable: nothing to restore
    }
  }

  /** Changes the draft; written after a short pause in typing, or at once (a save pressed). */
  update(change, now = false) {
    if (this.closed) return;
    this.data = change(this.data);
    clearTimeout(this.timer);
    if (now) this.flush();
    else this.timer = setTimeout(() => this.flush(), DELAY_MS);
  }

  flush() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.closed) return;
    const d = this.data;
    if (!d || (!d.values && !d.visit)) return sessionStorage.removeItem(this.storageKey);
    try {
      sessionStorage.setItem(this.storageKey, JSON.stringify(d));
    } catch {
      // sessionStorage full (about 5 MB): the form on screen still holds the values
    }
  }

  /** Whether there is unsaved work in it. */
  get kept() {
    return Boolean(this.data && (this.data.values || this.data.visit));
  }

  /** Stops writing (the account left): a late answer to an old request must not bring the draft back. */
  close() {
    clearTimeout(this.timer);
    this.closed = true;
  }
}

let current = null;

/** The account's draft slot for a new workspace (the previous one is written out and closed). */
export function openDrafts(account) {
  flushDrafts(true);
  current = new DraftSlot(account);
  return current;
}

/** Writes what waits for the pause in typing (the page is going away, or back to the login screen); answers whether any is kept. */
export function flushDrafts(close = false) {
  current?.flush();
  if (close) current?.close();
  return Boolean(current?.kept);
}

/** Whether the account has unsaved work in this tab (a reload that finds the login expired). */
export function hasDraft(account) {
  return Boolean(account && sessionStorage.getItem(PREFIX + account.id));
}

/** Logout: the account's draft is gone for good. */
export function discardDrafts(account) {
  current?.close();
  current = null;
  if (account) sessionStorage.removeItem(PREFIX + account.id);
}

// A reload or a closed tab does not wait for the pause; a phone may drop a page sent to the background.
window.addEventListener('pagehide', () => flushDrafts());
document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && flushDrafts());
