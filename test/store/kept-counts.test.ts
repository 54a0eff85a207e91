// Counts kept for queries stay within their bounds of entries and rows, whatever clients ask.
import t from 'tap';
import { KeptCounts } from '../../src/store/kept-counts.js';

/** Keeps entries of these sizes in order, and says which of them had to be made (were not kept). */
function fill(kept: KeptCounts<string>, sizes: Record<string, number>, fleet = 1): string[] {
  const made: string[] = [];
  for (const [key, rows] of Object.entries(sizes)) t.equal(kept.keep(fleet, key, () => (made.push(key), { rows, counts: `counts of ${key}` })), `counts of ${key}`);
  return made;
}

t.test('past the bound of rows, the least recently used are forgotten, never the newest', async (t) => {
  const kept = new KeptCounts<string>(100, 1000);
  t.same(fill(kept, { a: 400, b: 400 }), ['a', 'b']);
  t.same(fill(kept, { a: 400 }), [], 'kept: not made again');
  t.same(fill(kept, { c: 400 }), ['c']);
  t.equal(kept.size, 800, 'b, used least recently, was forgotten');
  t.same(fill(kept, { a: 400, b: 400 }), ['b']);
  t.same(fill(kept, { huge: 5000 }), ['huge']);
  t.equal(kept.size, 5000, 'one entry larger than the bound is kept alone');
  t.same(fill(kept, { a: 400, huge: 5000 }), ['a', 'huge']);
});

t.test('past the bound of entries, the oldest is forgotten, however small', async (t) => {
  const kept = new KeptCounts<string>(2, 1000);
  fill(kept, { a: 0, b: 0, c: 0 });
  t.same(fill(kept, { b: 0, c: 0, a: 0 }), ['a']);
});

t.test("a fleet's entries are forgotten with it, and their rows no longer count", async (t) => {
  const kept = new KeptCounts<string>(100, 1000);
  fill(kept, { a: 300 }, 1);
  fill(kept, { b: 300 }, 2);
  kept.forgetFleet(1);
  t.equal(kept.size, 300);
  t.same(fill(kept, { a: 300 }, 1), ['a'], 'made again');
  fill(kept, { c: 400 });
  t.same(fill(kept, { b: 300 }, 2), [], 'room for the rows fleet 1 had');
  kept.clear();
  t.equal(kept.size, 0);
  t.same(fill(kept, { b: 300 }, 2), ['b']);
});
