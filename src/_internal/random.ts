/**
 * Seeded random numbers identical to CPython's `random` module (MT19937, seeded from an integer
 * the way `random.seed(n)` does), so reed and Twisted can be compared draw for draw, and a
 * failing seed in a test replays exactly.
 *
 * Invariant: `random()` returns the same sequence as Python's `random.Random(seed).random()` for
 * every integer seed 0 ≤ seed < 2^53.
 */

const N = 624;
const M = 397;

/** The Mersenne Twister as CPython uses it. */
export class MersenneTwister {
  private readonly mt = new Uint32Array(N);
  private mti = N + 1;

  /** Seeds like Python's `random.seed(seed)` for a non-negative integer (the sign is dropped). */
  constructor(seed: number) {
    let n = Math.floor(Math.abs(seed));
    const key: number[] = [];
    do {
      key.push(n % 0x100000000);
      n = Math.floor(n / 0x100000000);
    } while (n > 0);
    this.initByArray(key);
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]!;
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.mti = N;
  }

  private initByArray(key: number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = ((mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1664525)) >>> 0) + key[j]! + j;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = ((mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) >>> 0) - i;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  /** The next 32-bit output. */
  genrandInt32(): number {
    const mt = this.mt;
    if (this.mti >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
        mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
        mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      const y = (mt[N - 1]! & 0x80000000) | (mt[0]! & 0x7fffffff);
      mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      this.mti = 0;
    }
    let y = mt[this.mti++]!;
    y ^= y >>> 11;
    y = (y ^ ((y << 7) & 0x9d2c5680)) >>> 0;
    y = (y ^ ((y << 15) & 0xefc60000)) >>> 0;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A float in [0, 1) with 53 random bits, as Python's `random.random()`. */
  random(): number {
    const a = this.genrandInt32() >>> 5;
    const b = this.genrandInt32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}

const NV_MAGICCONST = (4 * Math.exp(-0.5)) / Math.sqrt(2.0);

/**
 * A normally distributed number (mean `mu`, standard deviation `sigma`) drawn from `random`
 * with Python's `random.normalvariate` algorithm (Kinderman and Monahan), so the same uniform
 * draws give the same result as in Python.
 */
export function normalVariate(random: () => number, mu: number, sigma: number): number {
  for (;;) {
    const u1 = random();
    const u2 = 1.0 - random();
    const z = (NV_MAGICCONST * (u1 - 0.5)) / u2;
    const zz = (z * z) / 4.0;
    if (zz <= -Math.log(u2)) return mu + z * sigma;
  }
}

/** A `() => number` uniform source in [0, 1) seeded like Python's `random.Random(seed)`. */
export function seededRandom(seed: number): () => number {
  const mt = new MersenneTwister(seed);
  return () => mt.random();
}
