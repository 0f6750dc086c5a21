// A small seeded random source (mulberry32), so a failing schedule can be replayed: the seed
// comes from `envName` when set, else from the clock, and is printed.
export interface SeededRandom {
  seed: number;
  next(): number;
  between(min: number, max: number): number;
  shuffle<T>(items: readonly T[]): T[];
}

export function seededRandom(envName: string): SeededRandom {
  const given = process.env[envName];
  const seed = given ? Number(given) >>> 0 : Date.now() >>> 0;
  process.stdout.write(`${envName}=${seed}\n`);
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const shuffle = <T>(items: readonly T[]): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  };
  return { seed, next, between: (min, max) => min + next() * (max - min), shuffle };
}

export interface Fault {
  name: string;
  once?: boolean;
  // Does the fault, confirms it happened and waits for its recovery or alert (throws when
  // none comes). False when it could not be done right now (it is then tried again later).
  run(): Promise<boolean>;
}

// A chaos run's schedule: every kind once in a seeded order, then seeded draws of the
// repeatable ones until `seconds` are up, a seeded pause of `gapMs` before each. Counts what
// happened into `faults` as it goes (read by the caller even when a fault throws), and fails
// unless every kind happened.
export async function runFaults(random: SeededRandom, kinds: readonly Fault[], seconds: number, gapMs: readonly [number, number], faults: Record<string, number>): Promise<void> {
  const deck = random.shuffle(kinds);
  const deadline = Date.now() + seconds * 1000;
  for (let tries = 0; deck.length > 0 || Date.now() < deadline; tries++) {
    if (tries >= 500) throw new Error(`faults keep failing to happen; still to do: ${deck.map((f) => f.name).join(', ')}`);
    await new Promise((r) => setTimeout(r, random.between(gapMs[0], gapMs[1])));
    const repeatable = kinds.filter((k) => !k.once);
    const fault = deck.shift() ?? repeatable[Math.floor(random.next() * repeatable.length)]!;
    const happened = await fault.run().catch((error: unknown) => {
      throw new Error(`${fault.name}: no recovery: ${(error as Error).message}`);
    });
    if (happened) faults[fault.name] = (faults[fault.name] ?? 0) + 1;
    else if (!faults[fault.name]) deck.push(fault);
  }
  const missing = kinds.map((k) => k.name).filter((name) => !faults[name]);
  if (missing.length > 0) throw new Error(`fault kinds that never happened: ${missing.join(', ')}`);
}
