/**
 * De-duplication accuracy on a generated, labelled set: every record carries the id of the real
 * person it describes. Records are fed in random order to the same matcher the import uses
 * (normalise phone/e-mail as an import would, then DuplicateIndex.findBest → join that cluster or
 * start a new one), and the predicted clusters are compared with the true ones pairwise:
 * precision, recall and F1, overall and per kind of duplicate / look-alike.
 *
 *   pnpm --filter @nudge/bench exec tsx dedupe-accuracy.ts [people=3000] [seed=42] [namesakes]
 */
import { DEFAULT_MATCH_THRESHOLD, DuplicateIndex, normaliseEmail, normalisePhone, cleanText } from '@nudge/customer-import';
import {
  createRng,
  duplicateRow,
  generatePerson,
  lookAlike,
  rowOf,
  DUPLICATE_KINDS,
  LOOKALIKE_KINDS,
  type CsvPersonRow,
} from '@nudge/customer-import/testing';

const PEOPLE = Number(process.argv[2] ?? 3000);
const SEED = Number(process.argv[3] ?? 42);
/** `namesakes`: let base people share a name and company by chance (the short name lists make that frequent). */
const NAMESAKES = process.argv[4] === 'namesakes';
const rng = createRng(SEED);

interface LabelledRecord {
  row: CsvPersonRow;
  person: number;
  /** How this record came about: original, a duplicate kind, or a look-alike kind. */
  kind: string;
}

const records: LabelledRecord[] = [];
let serial = 1;
let nextId = 0;
// Base people are unique by (name, company): the generator's name lists are short, and two
// different people with the same name at the same company and no contact detail to tell them
// apart cannot be told apart by anyone. Look-alikes are then added on purpose.
const seenNameCompany = new Set<string>();
for (let i = 0; i < PEOPLE; i++) {
  let p = generatePerson(rng, nextId++, serial++);
  while (!NAMESAKES && seenNameCompany.has(`${p.given}|${p.family}|${p.companyBase}`)) p = generatePerson(rng, nextId++, serial++);
  seenNameCompany.add(`${p.given}|${p.family}|${p.companyBase}`);
  const r = rng();
  if (r < 0.12) {
    // A colleague at the same office number: two different people, one phone; half of them with
    // the same given name (莊品妤 / 鄧品妤 behind one switchboard, each with their own e-mail).
    const kind = rng() < 0.5 ? ('shared-office-phone' as const) : ('switchboard-colleague' as const);
    const other = lookAlike(p, kind, rng, nextId++, serial++);
    records.push({ row: other.original ?? rowOf(p, rng), person: p.id, kind: 'original' });
    records.push({ row: other.row, person: other.person.id, kind });
    continue;
  }
  records.push({ row: rowOf(p, rng), person: p.id, kind: 'original' });
  if (r < 0.5) {
    const kind = DUPLICATE_KINDS[Math.floor(rng() * DUPLICATE_KINDS.length)]!;
    records.push({ row: duplicateRow(p, kind, rng), person: p.id, kind });
    if (rng() < 0.2) {
      const second = DUPLICATE_KINDS[Math.floor(rng() * DUPLICATE_KINDS.length)]!;
      records.push({ row: duplicateRow(p, second, rng), person: p.id, kind: second });
    }
  } else if (r < 0.8) {
    const kind = LOOKALIKE_KINDS.filter((k) => k !== 'shared-office-phone' && k !== 'switchboard-colleague')[Math.floor(rng() * 3)]!;
    const other = lookAlike(p, kind, rng, nextId++, serial++);
    records.push({ row: other.row, person: other.person.id, kind });
  }
}
// Shuffle (Fisher–Yates) so that duplicates are not next to their originals.
for (let i = records.length - 1; i > 0; i--) {
  const j = Math.floor(rng() * (i + 1));
  [records[i], records[j]] = [records[j]!, records[i]!];
}

const started = performance.now();
const index = new DuplicateIndex<number>(DEFAULT_MATCH_THRESHOLD);
const cluster: number[] = [];
let nextCluster = 0;
let invalidPhones = 0;
records.forEach((rec, i) => {
  const phone = rec.row.phone ? normalisePhone(rec.row.phone, 'TW') : undefined;
  if (phone && !phone.ok) invalidPhones++;
  const identity = {
    name: cleanText(rec.row.name),
    company: cleanText(rec.row.company) || undefined,
    phone: phone?.ok ? phone.e164 : undefined,
    email: rec.row.email ? normaliseEmail(rec.row.email) : undefined,
  };
  const found = index.findBest(identity);
  cluster[i] = found ? found.ref : nextCluster++;
  index.add(identity, cluster[i]!);
});
const elapsed = performance.now() - started;

// Pairwise evaluation.
const pairs = (keyOf: (i: number) => number) => {
  const groups = new Map<number, number[]>();
  records.forEach((_, i) => {
    const k = keyOf(i);
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  const out = new Set<string>();
  for (const g of groups.values()) for (let a = 0; a < g.length; a++) for (let b = a + 1; b < g.length; b++) out.add(`${g[a]}-${g[b]}`);
  return out;
};
const truth = pairs((i) => records[i]!.person);
const predicted = pairs((i) => cluster[i]!);
let tp = 0;
for (const p of predicted) if (truth.has(p)) tp++;
const precision = predicted.size ? tp / predicted.size : 1;
const recall = truth.size ? tp / truth.size : 1;
const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;

// Per kind: a duplicate record is found when it shares a cluster with its original; a look-alike
// is kept apart when it shares a cluster with no record of another person.
const originalCluster = new Map<number, number>();
records.forEach((r, i) => r.kind === 'original' && originalCluster.set(r.person, cluster[i]!));
const perKind = new Map<string, { n: number; ok: number }>();
const clusterPeople = new Map<number, Set<number>>();
records.forEach((r, i) => {
  const s = clusterPeople.get(cluster[i]!) ?? new Set<number>();
  s.add(r.person);
  clusterPeople.set(cluster[i]!, s);
});
records.forEach((r, i) => {
  if (r.kind === 'original') return;
  const stat = perKind.get(r.kind) ?? { n: 0, ok: 0 };
  stat.n++;
  const isDup = (DUPLICATE_KINDS as readonly string[]).includes(r.kind);
  if (isDup ? originalCluster.get(r.person) === cluster[i] : clusterPeople.get(cluster[i]!)!.size === 1) stat.ok++;
  perKind.set(r.kind, stat);
});

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
console.log(`de-duplication accuracy — ${records.length} records of ${new Set(records.map((r) => r.person)).size} people (seed ${SEED}, threshold ${DEFAULT_MATCH_THRESHOLD}${NAMESAKES ? ', chance namesakes allowed' : ''})`);
console.log(`  true duplicate pairs: ${truth.size}, predicted pairs: ${predicted.size}, correct: ${tp}`);
console.log(`  precision ${pct(precision)}   recall ${pct(recall)}   F1 ${f1.toFixed(4)}   (target F1 ≥ 0.98)`);
console.log(`  matching time: ${elapsed.toFixed(0)} ms (${((records.length / elapsed) * 1000).toFixed(0)} records/s)${invalidPhones ? `; ${invalidPhones} phones invalid` : ''}`);
console.log('  per kind (duplicates: found with their original; look-alikes: kept apart):');
for (const [kind, s] of [...perKind].sort()) {
  const isDup = (DUPLICATE_KINDS as readonly string[]).includes(kind);
  console.log(`    ${isDup ? 'duplicate ' : 'look-alike'} ${kind.padEnd(26)} ${String(s.ok).padStart(5)} / ${String(s.n).padEnd(5)} ${pct(s.ok / s.n)}`);
}

// Known limits, not counted above: duplicates with nothing but a changed name and the company.
// By design a wrong character in a 2–3 character Chinese name, without a phone or e-mail to
// confirm it, is not merged (it is as likely to be a colleague with a similar name).
{
  const hard = createRng(SEED + 1);
  const cases = { 'zh one wrong character, company only': [0, 0], 'latin typo in the first letter, company only': [0, 0] } as Record<string, [number, number]>;
  for (let i = 0; i < 300; i++) {
    const p = generatePerson(hard, 900_000 + i, 900_000 + i);
    const original = rowOf(p, hard);
    const index = new DuplicateIndex<number>();
    index.add({ name: original.name, company: original.company }, 1);
    const kindName = p.locale === 'zh' ? 'zh one wrong character, company only' : 'latin typo in the first letter, company only';
    const name =
      p.locale === 'zh'
        ? original.name.slice(0, -1) + (original.name.endsWith('明') ? '名' : '明')
        : `${p.given.slice(1, 2).toUpperCase()}${p.given.slice(0, 1).toLowerCase()}${p.given.slice(2)} ${p.family}`;
    const found = index.findBest({ name, company: original.company });
    cases[kindName]![0]++;
    if (found) cases[kindName]![1]++;
  }
  console.log('  known limits (not in the figures above; found / cases):');
  for (const [k, [n, ok]] of Object.entries(cases)) console.log(`    ${k.padEnd(46)} ${ok} / ${n}`);
}
