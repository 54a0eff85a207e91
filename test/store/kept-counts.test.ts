// Counts kept for queries stay within their bounds of entries and rows, whatever clients ask.
import t from 'tap';
import { KeptCounts } from '../../src/store/kept-counts.js';

const forgotten: string[] = [];

/** Keeps entries of these sizes in order, and says which were forgotten meanwhile. */
function fill(kept: KeptCounts, sizes: Record<string, number>, fleet = 1): string[] {
  forgotten.length = 0;
  for (const [key, rows] of Object.entries(sizes)) kept.keep(fleet, key, () => ({ rows, forget: () => forgotten.push(key) }));
  return [...forgotten];
}

t.test('past the bound of rows, the least recently used are forgotten, never the newest', async (t) => {
  const kept = new KeptCounts(100, 1000);
  t.same(fill(kept, { a: 400, b: 400 }), []);
  kept.keep(1, 'a', () => {
    throw new Error('kept already: not made again');
  });
  t.same(fill(kept, { c: 400 }), ['b'], 'b, used least recently');
  t.equal(kept.size, 800);
  t.same(fill(kept, { huge: 5000 }), ['a', 'c'], 'one entry larger than the bound is kept alone');
  t.equal(kept.size, 5000);
});

t.test('past the bound of entries, the oldest is forgotten, however small', async (t) => {
  const kept = new KeptCounts(2, 1000);
  t.same(fill(kept, { a: 0, b: 0, c: 0 }), ['a']);
});

t.test("a fleet's entries are forgotten with it, and their rows no longer count", async (t) => {
  const kept = new KeptCounts(100, 1000);
  fill(kept, { a: 300 }, 1);
  fill(kept, { b: 300 }, 2);
  kept.forgetFleet(1);
  t.equal(kept.size, 300);
  t.same(fill(kept, { c: 700 }), [], 'room for the rows fleet 1 had');
  kept.clear();
  t.equal(kept.size, 0);
});
