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
