// Every control character but newline and tab: C0, DEL and the C1 range.
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

// Text with every control character made visible and inert, for a terminal: caret notation
// (`^C`, `^[`, `^?`; a C1 character as its 7-bit escape, e.g. CSI as `^[[`), so an escape
// sequence in it is shown, not acted on, and NUL never passes; `\r\n` and a lone `\r` become
// `\n`, so no line is written over. Newlines and tabs stay. The one rule for text cmux types
// into an agent's terminal and for what its CLI prints from storage, agents and logs.
export function visibleControls(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
    if (code === 0x7f) return '^?';
    return `^[${String.fromCharCode(code - 0x40)}`;
  });
}
