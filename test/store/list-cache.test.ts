// The list cache stays correct and bounded: counts, pages and checkpoints.
import t from 'tap';
import { ListCache, TextCache } from '../../src/store/list-cache.js';

const small = { fleets: 2, filtersPerFleet: 2, checkpointsPerFilter: 4, checkpoints: 100, pageBytes: 10 };

t.test('checkpoints: the nearest below an offset', async (t) => {
  const memo = new ListCache().memo(1, 'f');
  const at = (offset: number, pos: number, key: number | null = null) => ({ offset, key, pos });
  t.same(memo.nearest(500), at(0, 0), 'the start, before anything is known');
  memo.remember(at(100, 1234, 7));
  memo.remember(at(300, 4000, 5));
  memo.remember(at(100, 9999, 1));
  t.same(memo.nearest(99), at(0, 0));
  t.same(memo.nearest(100), at(100, 1234, 7), 'a known offset is not overwritten');
  t.same(memo.nearest(299), at(100, 1234, 7));
  t.same(memo.nearest(10_000), at(300, 4000, 5));
  memo.remember(at(200, 2500, 6));
  t.same(memo.nearest(250), at(200, 2500, 6), 'kept in order');
});

t.test('bounded: checkpoints, filters, projects and page bytes', async (t) => {
  const cache = new ListCache(small);
  const memo = cache.memo(1, 'f');
  for (let i = 1; i <= 3; i++) memo.remember({ offset: i * 10, key: null, pos: i * 100 });
  t.same(memo.nearest(35), { offset: 30, key: null, pos: 300 }, 'four checkpoints, with the start');
  memo.remember({ offset: 40, key: null, pos: 400 });
  t.same(memo.nearest(35), { offset: 0, key: null, pos: 0 }, 'past the limit, the checkpoints start again');
  t.same(memo.nearest(45), { offset: 40, key: null, pos: 400 });

  memo.total = 7;
  t.equal(cache.memo(1, 'f').total, 7, 'the same memo for the same filter');
  cache.memo(1, 'g');
  cache.memo(1, 'h');
  t.equal(cache.memo(1, 'f').total, undefined, 'a fleet past its filter limit starts again');
  cache.memo(2, 'f').total = 1;
  cache.memo(3, 'f');
  t.equal(cache.memo(2, 'f').total, undefined, 'past the fleet limit, every fleet starts again');

  const first = cache.memo(4, 'f');
  first.rememberPage(0, 10, Buffer.from('abcdef'));
  t.same(first.page(0, 10), Buffer.from('abcdef'));
  t.equal(first.page(10, 10), undefined);
  const second = cache.memo(4, 'g');
  second.rememberPage(0, 10, Buffer.from('ghijk'));
  t.equal(first.page(0, 10), undefined, 'past the byte budget, earlier pages are forgotten');
  t.same(second.page(0, 10), Buffer.from('ghijk'));
});

t.test('checkpoints over every fleet are bounded; a forgotten fleet gives its share back', async (t) => {
  const cache = new ListCache({ ...small, fleets: 100, checkpointsPerFilter: 100, checkpoints: 5 });
  const walk = (fleet: number, pages: number) => {
    const memo = cache.memo(fleet, 'f');
    for (let i = 1; i <= pages; i++) memo.remember({ offset: i * 10, key: null, pos: i * 100 });
    return memo;
  };
  walk(1, 3);
  walk(2, 3);
  cache.forget(1);
  t.same(walk(3, 0).nearest(35), { offset: 0, key: null, pos: 0 }, 'a new memo starts at the start');
  t.same(cache.memo(2, 'f').nearest(35), { offset: 30, key: null, pos: 300 }, 'within the bound once fleet 1 is forgotten');
  walk(3, 3);
  t.same(cache.memo(2, 'f').nearest(35), { offset: 0, key: null, pos: 0 }, 'past the bound, everything is forgotten');
});

t.test('forget one fleet, or all', async (t) => {
  const cache = new ListCache();
  cache.memo(1, 'f').total = 1;
  cache.memo(2, 'f').total = 2;
  cache.forget(1);
  t.equal(cache.memo(1, 'f').total, undefined);
  t.equal(cache.memo(2, 'f').total, 2);
  cache.forget();
  t.equal(cache.memo(2, 'f').total, undefined);
});

t.test('a long run of pages through a small budget keeps the newest, and stays bounded', async (t) => {
  const cache = new ListCache({ ...small, filtersPerFleet: 10_000 });
  const memos = Array.from({ length: 3000 }, (_, i) => cache.memo(1, `filter-${i}`));
  memos.forEach((memo, i) => memo.rememberPage(0, 10, Buffer.from(`p${String(i).padStart(4, '0')}`)));
  t.same(memos[2999]!.page(0, 10), Buffer.from('p2999'), 'the newest page is kept');
  t.same(memos[2998]!.page(0, 10), Buffer.from('p2998'), 'and the one before it (two fit in ten bytes)');
  t.equal(memos[2997]!.page(0, 10), undefined, 'older ones are gone');
  t.equal(memos[0]!.page(0, 10), undefined);
});

t.test('generated hosts’ texts: kept within the budget, the least recently used leaving first', async (t) => {
  // Ten characters each, forty in the budget: every third text fills half of it.
  const cache = new TextCache(40);
  const text = (key: string) => key.padStart(10, '-');
  for (const key of ['a', 'b', 'c']) cache.set(key, text(key));
  t.equal(cache.get('a'), text('a'), 'a is used again');
  for (const key of ['d', 'e']) cache.set(key, text(key));
  t.same([cache.get('b'), cache.get('c')], [undefined, undefined], 'b and c, used least recently, have left');
  t.same([cache.get('a'), cache.get('d'), cache.get('e')], [text('a'), text('d'), text('e')], 'a, d and e are kept');
  cache.forget((key) => key === 'd');
  t.same([cache.get('a'), cache.get('d'), cache.get('e')], [text('a'), undefined, text('e')], 'd forgotten');
  cache.clear();
  t.equal(cache.get('a'), undefined, 'cleared');
  cache.set('x', text('x'));
  cache.set('y', text('y'));
  cache.forget((key) => key === 'y');
  for (const key of ['z', 'w', 'v', 'u']) cache.set(key, text(key));
  t.equal(cache.get('x'), text('x'), 'y, forgotten, no longer counted against the budget: x has not left yet');
});
