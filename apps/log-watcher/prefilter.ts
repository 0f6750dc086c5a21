// Literals a regular expression cannot match without: the log watcher looks for them in a
// log's raw bytes and runs the expressions only on the lines that hold one. A pattern is
// configured by the user and may be anything, so the derivation is exact or nothing: a set is
// returned only when every match provably contains one of its strings; whatever the parser does
// not fully understand gives null (the lines are then all tested, as without a prefilter).

// Any-of: every match contains at least one of these strings. null: nothing is known.
type Required = string[] | null;

// More needles than this cost more passes over a log than testing its lines.
const MAX_NEEDLES = 16;
// What a decoder puts in place of bytes that are not UTF-8: the line the expression sees can
// hold it where the raw bytes do not, so it is never part of a literal (lone surrogates,
// which no decoded line holds, neither).
const NOT_IN_BYTES = /[\uFFFD\uD800-\uDFFF]/u;

class Unknown extends Error {}

// The strings one of which every match of `source` (compiled with `flags`) contains, or null.
export function requiredLiterals(source: string, flags = 'u'): string[] | null {
  // Case-insensitive matching (or a flag this parser does not know) matches text the literals
  // do not spell; without 'u' escapes mean other things.
  if (!/^[dgmsuy]*$/.test(flags) || !flags.includes('u')) return null;
  try {
    const parser = new Parser(source);
    const required = parser.disjunction();
    if (!parser.done()) return null;
    return required && required.length <= MAX_NEEDLES ? required : null;
  } catch (error) {
    if (error instanceof Unknown) return null;
    throw error;
  }
}

// The needles for a set of patterns, any of which makes a line an error: null when one of them
// has no literal a match must hold (every line must then be tested).
export function prefilterNeedles(patterns: readonly string[]): string[] | null {
  const needles = new Set<string>();
  for (const pattern of patterns) {
    const required = requiredLiterals(pattern);
    if (!required) return null;
    for (const literal of required) needles.add(literal);
  }
  // A needle that holds another is found wherever that one is: the shorter suffices.
  const kept = [...needles].filter((n) => ![...needles].some((m) => m !== n && n.includes(m)));
  return kept.length <= MAX_NEEDLES ? kept : null;
}

// The better of two requirements: the one whose shortest string is longest (rarer in text),
// then the one with fewer strings (fewer passes).
function better(a: Required, b: Required): Required {
  if (!a) return b;
  if (!b) return a;
  const shortest = (r: string[]) => Math.min(...r.map((s) => s.length));
  if (shortest(a) !== shortest(b)) return shortest(a) > shortest(b) ? a : b;
  return b.length < a.length ? b : a;
}

const SYNTAX_CHARACTERS = '^$\\.*+?()[]{}|/';
const CONTROL_ESCAPES: Record<string, string> = { t: '\t', n: '\n', v: '\v', f: '\f', r: '\r' };

// A recursive-descent reader of ECMAScript pattern syntax with the u flag, computing for each
// alternative what a match requires.
class Parser {
  private at = 0;
  constructor(private readonly source: string) {}

  done(): boolean {
    return this.at === this.source.length;
  }

  private peek(offset = 0): string | undefined {
    return this.source[this.at + offset];
  }

  private startsWith(text: string): boolean {
    return this.source.startsWith(text, this.at);
  }

  // Alternative ('|' Alternative)*: a match holds what its alternative requires, so the union.
  disjunction(): Required {
    let union: string[] | null = [];
    for (;;) {
      const required = this.alternative();
      union = union && required ? [...union, ...required] : null;
      if (this.peek() !== '|') break;
      this.at += 1;
    }
    return union && union.length > 0 ? [...new Set(union)] : null;
  }

  // Term*: a match holds the match of every term that cannot be skipped, so the best of those;
  // characters matched one after the other form one literal.
  private alternative(): Required {
    let best: Required = null;
    let run = '';
    const close = () => {
      if (run) best = better(best, [run]);
      run = '';
    };
    while (this.at < this.source.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom();
      const min = this.quantifier();
      if (atom.kind === 'zero-width') {
        if (min !== null) throw new Unknown();
        close();
        continue;
      }
      if (atom.kind === 'char' && !NOT_IN_BYTES.test(atom.char)) {
        if (min === null) {
          run += atom.char;
          continue;
        }
        // c+ / c{2,}: the run ends with the first c (more may follow) and the next starts with the last.
        if (min > 0) run += atom.char;
        close();
        if (min > 0) run = atom.char;
        continue;
      }
      close();
      if (atom.kind === 'group' && (min === null || min > 0)) best = better(best, atom.required);
    }
    close();
    return best;
  }

  // The least number of repeats of a quantifier after an atom, or null when there is none.
  private quantifier(): number | null {
    const c = this.peek();
    let min: number;
    if (c === '*' || c === '?') {
      min = 0;
      this.at += 1;
    } else if (c === '+') {
      min = 1;
      this.at += 1;
    } else if (c === '{') {
      const m = /^\{(\d+)(,\d*)?\}/.exec(this.source.slice(this.at));
      if (!m) throw new Unknown();
      min = Number(m[1]);
      this.at += m[0].length;
    } else {
      return null;
    }
    if (this.peek() === '?') this.at += 1;
    return min;
  }

  private atom(): { kind: 'char'; char: string } | { kind: 'zero-width' } | { kind: 'class' } | { kind: 'group'; required: Required } {
    const c = this.peek()!;
    if (c === '^' || c === '$') {
      this.at += 1;
      return { kind: 'zero-width' };
    }
    if (c === '.') {
      this.at += 1;
      return { kind: 'class' };
    }
    if (c === '[') {
      this.characterClass();
      return { kind: 'class' };
    }
    if (c === '(') return this.group();
    if (c === '\\') return this.escape();
    if ('*+?{}])|'.includes(c)) throw new Unknown();
    const char = String.fromCodePoint(this.source.codePointAt(this.at)!);
    this.at += char.length;
    return { kind: 'char', char };
  }

  private group(): { kind: 'zero-width' } | { kind: 'group'; required: Required } {
    let lookaround = false;
    if (this.startsWith('(?:')) this.at += 3;
    else if (this.startsWith('(?=') || this.startsWith('(?!')) {
      this.at += 3;
      lookaround = true;
    } else if (this.startsWith('(?<=') || this.startsWith('(?<!')) {
      this.at += 4;
      lookaround = true;
    } else if (this.startsWith('(?<')) {
      const end = this.source.indexOf('>', this.at);
      if (end === -1) throw new Unknown();
      this.at = end + 1;
    } else if (this.startsWith('(?')) {
      // Modifiers such as (?i:…) change how the group matches.
      throw new Unknown();
    } else this.at += 1;
    const required = this.disjunction();
    if (this.peek() !== ')') throw new Unknown();
    this.at += 1;
    return lookaround ? { kind: 'zero-width' } : { kind: 'group', required };
  }

  // [...]: skipped (a class is not a literal), escapes included.
  private characterClass(): void {
    this.at += 1;
    while (this.at < this.source.length && this.peek() !== ']') this.at += this.peek() === '\\' ? 2 : 1;
    if (this.peek() !== ']') throw new Unknown();
    this.at += 1;
  }

  private escape(): { kind: 'char'; char: string } | { kind: 'zero-width' } | { kind: 'class' } {
    const c = this.peek(1);
    if (c === undefined) throw new Unknown();
    this.at += 2;
    if (c === 'b' || c === 'B') return { kind: 'zero-width' };
    if ('dDwWsS'.includes(c)) return { kind: 'class' };
    if (c === 'p' || c === 'P') {
      const end = this.source.indexOf('}', this.at);
      if (this.peek() !== '{' || end === -1) throw new Unknown();
      this.at = end + 1;
      return { kind: 'class' };
    }
    if (CONTROL_ESCAPES[c]) return { kind: 'char', char: CONTROL_ESCAPES[c] };
    if (c === '0' && !/\d/.test(this.peek() ?? '')) return { kind: 'char', char: '\0' };
    if (c === 'c' && /[A-Za-z]/.test(this.peek() ?? '')) {
      const letter = this.peek()!;
      this.at += 1;
      return { kind: 'char', char: String.fromCharCode(letter.charCodeAt(0) % 32) };
    }
    if (c === 'x' && /^[0-9a-fA-F]{2}$/.test(this.source.slice(this.at, this.at + 2))) {
      const char = String.fromCharCode(Number.parseInt(this.source.slice(this.at, this.at + 2), 16));
      this.at += 2;
      return { kind: 'char', char };
    }
    if (c === 'u') {
      const braced = /^\{([0-9a-fA-F]+)\}/.exec(this.source.slice(this.at));
      const plain = /^[0-9a-fA-F]{4}/.exec(this.source.slice(this.at));
      const hex = braced?.[1] ?? plain?.[0];
      if (!hex) throw new Unknown();
      this.at += (braced ?? plain)![0].length;
      const code = Number.parseInt(hex, 16);
      if (code > 0x10ffff) throw new Unknown();
      return { kind: 'char', char: String.fromCodePoint(code) };
    }
    if (SYNTAX_CHARACTERS.includes(c)) return { kind: 'char', char: c };
    // Backreferences (\1, \k<name>) and anything else: not a literal this parser can vouch for.
    throw new Unknown();
  }
}
