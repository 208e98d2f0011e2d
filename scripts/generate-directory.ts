/**
 * A realistic directory for tests and benchmarks: N users (default 10,000) of a
 * county network shared by a council, health, police and fire, spread over sites
 * with Staffordshire-style DDIs. Deterministic for a given seed. Writes the CSV
 * that `strowger users import` reads.
 *
 *   node dist-bench/scripts/generate-directory.js [COUNT] [SEED] > users.csv
 */
import { formatCsvRow } from "../src/pbx/directory/csv.js";

export const CSV_HEADER = ["extension", "ddi", "name", "organisation", "site", "class", "password"];

const ORGANISATIONS = [
  { name: "council", share: 0.55, sites: ["stafford", "lichfield", "tamworth", "cannock", "leek", "stone", "uttoxeter", "burton"] },
  { name: "health", share: 0.2, sites: ["stafford-hospital", "cannock-hospital", "leek-clinic"] },
  { name: "police", share: 0.17, sites: ["police-hq", "hanley", "burton-station", "tamworth-station"] },
  { name: "fire", share: 0.08, sites: ["fire-hq", "stafford-fire", "leek-fire"] },
];
const CLASSES = ["staff", "staff", "staff", "restricted", "international", "emergency-only"];
const FIRST = ["Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Harry", "Isla", "Jack", "Kate", "Liam", "Mia", "Noah", "Olivia", "Peter", "Ruby", "Sam", "Tom", "Zara"];
const LAST = ["Adams", "Baker", "Clarke", "Davies", "Evans", "Fletcher", "Green", "Hughes", "Jones", "King", "Lewis", "Morris", "Owen", "Patel", "Roberts", "Smith", "Taylor", "Walker", "Wright", "Young"];

/** A small deterministic PRNG (mulberry32), so that every run makes the same directory. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Extensions 200000–999999 (and their DDIs, 01785 200000–999999). */
const MAX_USERS = 800_000;

/** The password a generated user gets: derived from the extension, so a test or sipp's CSV can know it. */
export function generatedPassword(extension: string): string {
  return `pw-${extension}-strowger`;
}

export function generateUsers(count: number, seed = 1): string[][] {
  if (!Number.isSafeInteger(count) || count < 0 || count > MAX_USERS) throw new RangeError(`the count must be a whole number from 0 to ${MAX_USERS}`);
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const rows: string[][] = [];
  for (let i = 0; i < count; i++) {
    let r = next();
    const org = ORGANISATIONS.find((o) => (r -= o.share) < 0) ?? ORGANISATIONS[0]!;
    const extension = String(200000 + i);
    // Stafford's 01785 numbers, one DDI for nine users in ten: 01785 200000 upwards,
    // the extension's own digits (six after the area code, as Ofcom's plan has them).
    const ddi = next() < 0.9 ? `+441785${extension}` : "";
    rows.push([extension, ddi, `${pick(FIRST)} ${pick(LAST)}`, org.name, pick(org.sites), pick(CLASSES), generatedPassword(extension)]);
  }
  return rows;
}

if (process.argv[1]?.endsWith("generate-directory.js")) {
  const count = Number(process.argv[2] ?? 10_000);
  const seed = Number(process.argv[3] ?? 1);
  const lines = [formatCsvRow(CSV_HEADER), ...generateUsers(count, seed).map(formatCsvRow)];
  process.stdout.write(`${lines.join("\n")}\n`);
}
