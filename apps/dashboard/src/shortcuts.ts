import { useEffect } from 'react';

// The daily moves, one key each; `?` lists them. Keys typed into a field, or into an agent's
// terminal while it is interactive, are the field's: a shortcut never steals a letter.
export const SHORTCUTS = [
  { key: 'j', does: 'next agent' },
  { key: 'k', does: 'previous agent' },
  { key: 'o', does: 'open the agent whose card has the focus' },
  { key: 'n', does: 'new worker (its name field)' },
  { key: 'm', does: 'message the agent looked at (its message box)' },
  { key: 'i', does: 'interrupt the agent looked at' },
  { key: 'a', does: "answer: the focus to the dialog's first choice" },
  { key: '/', does: 'search messages, terminals, the journal and tasks' },
  { key: 'v', does: 'overview' },
  { key: 'g', does: 'grid' },
  { key: 's', does: 'system' },
  { key: '?', does: 'this list' },
] as const;
export type ShortcutKey = (typeof SHORTCUTS)[number]['key'];

// Calls `on` with the shortcut pressed, unless the key belongs to what has the focus.
export function useShortcuts(on: (key: ShortcutKey) => void): void {
  useEffect(() => {
    const known = new Set<string>(SHORTCUTS.map((s) => s.key));
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || !known.has(event.key)) return;
      const target = event.target as HTMLElement | null;
      if (target && typesText(target)) return;
      event.preventDefault();
      on(event.key as ShortcutKey);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [on]);
}

// A field that takes letters (a checkbox or a button does not).
function typesText(element: HTMLElement): boolean {
  if (element.isContentEditable || element.tagName === 'TEXTAREA' || element.tagName === 'SELECT') return true;
  return element instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(element.type);
}

// How long a shortcut waits for what it focuses to be drawn (a view's code may load first).
const FOCUS_WAIT_MS = 3_000;

// Focuses the first element `selector` finds, once the view it is in has drawn it.
export function focusSoon(selector: string): void {
  const until = Date.now() + FOCUS_WAIT_MS;
  const attempt = () => {
    const found = document.querySelector<HTMLElement>(selector);
    if (found) found.focus();
    else if (Date.now() < until) window.setTimeout(attempt, 50);
  };
  attempt();
}

// The agent whose card or grid cell holds the focus, if one does.
export function focusedAgent(): string | null {
  const holder = document.activeElement?.closest<HTMLElement>('[data-card], [data-cell]');
  return holder?.dataset.card ?? holder?.dataset.cell ?? null;
}
