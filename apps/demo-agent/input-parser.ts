// Terminal input as the demo agent sees it: keys and pasted text, from raw stdin bytes.
export type InputEvent =
  | { type: 'text'; text: string }
  | { type: 'paste'; text: string }
  | { type: 'enter' }
  | { type: 'backspace' }
  | { type: 'escape' }
  | { type: 'interrupt' }
  | { type: 'eof' };

const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

// A stateful parser: feed it chunks, get events. A paste may span chunks; it is one event.
// A lone Escape cannot be told from the start of a sequence until no more bytes follow, so
// the caller calls flush() when the input has been quiet for a moment.
export function createInputParser() {
  let paste: string | null = null;
  let pending = '';
  function flush(): InputEvent[] {
    if (paste !== null || pending !== '\x1b') return [];
    pending = '';
    return [{ type: 'escape' }];
  }
  function feed(chunk: string): InputEvent[] {
    const events: InputEvent[] = [];
    let data = pending + chunk;
    pending = '';
    let text = '';
    const flushText = () => {
      if (text) events.push({ type: 'text', text });
      text = '';
    };
    while (data.length > 0) {
      if (paste !== null) {
        const end = data.indexOf(PASTE_END);
        if (end === -1) {
          // Keep a possible partial end marker for the next chunk.
          const keep = partialSuffix(data, PASTE_END);
          paste += data.slice(0, data.length - keep);
          pending = data.slice(data.length - keep);
          return events;
        }
        events.push({ type: 'paste', text: (paste + data.slice(0, end)).replace(/\r\n?/g, '\n') });
        paste = null;
        data = data.slice(end + PASTE_END.length);
        continue;
      }
      const ch = data[0]!;
      if (ch === '\x1b') {
        if (data.startsWith(PASTE_START)) {
          flushText();
          paste = '';
          data = data.slice(PASTE_START.length);
          continue;
        }
        if (data.length < PASTE_START.length && PASTE_START.startsWith(data)) {
          pending = data;
          break;
        }
        const sequence = /^\x1b(\[[0-9;?]*[ -/]*[@-~]|O.)/.exec(data);
        if (sequence) {
          data = data.slice(sequence[0].length);
          continue;
        }
        flushText();
        events.push({ type: 'escape' });
        data = data.slice(1);
        continue;
      }
      data = data.slice(1);
      if (ch === '\r' || ch === '\n') {
        flushText();
        events.push({ type: 'enter' });
      } else if (ch === '\x7f' || ch === '\b') {
        flushText();
        events.push({ type: 'backspace' });
      } else if (ch === '\x03') {
        flushText();
        events.push({ type: 'interrupt' });
      } else if (ch === '\x04') {
        flushText();
        events.push({ type: 'eof' });
      } else if (ch >= ' ' || ch === '\t') {
        text += ch;
      }
    }
    flushText();
    return events;
  }
  return { feed, flush, get waiting(): boolean { return pending !== ''; } };
}

function partialSuffix(data: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, data.length); n > 0; n--) {
    if (marker.startsWith(data.slice(-n))) return n;
  }
  return 0;
}
