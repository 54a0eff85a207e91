// The list cache stays correct and bounded: counts, pages and checkpoints.
import t from 'tap';
import { ListCache } from '../../src/store/list-cache.js';

const small = { projects: 2, filtersPerProject: 2, checkpointsPerFilter: 4, pageBytes: 10 };

t.test('checkpoints: the nearest below an offset', async (t) => {
  const memo = new ListCache().memo('p', 'f');
  t.same(memo.nearest(500), { offset: 0, id: 0 }, 'the start, before anything is known');
  memo.remember(100, 1234);
  memo.remember(300, 4000);
  memo.remember(100, 9999);
  t.same(memo.nearest(99), { offset: 0, id: 0 });
  t.same(memo.nearest(100), { offset: 100, id: 1234 }, 'a known offset is not overwritten');
  t.same(memo.nearest(299), { offset: 100, id: 1234 });
  t.same(memo.nearest(10_000), { offset: 300, id: 4000 });
  memo.remember(200, 2500);
  t.same(memo.nearest(250), { offset: 200, id: 2500 }, 'kept in order');
});

t.test('bounded: checkpoints, filters, projects and page bytes', async (t) => {
  const cache = new ListCache(small);
  const memo = cache.memo('p', 'f');
  for (let i = 1; i <= 3; i++) memo.remember(i * 10, i * 100);
  t.same(memo.nearest(35), { offset: 30, id: 300 }, 'four checkpoints, with the start');
  memo.remember(40, 400);
  t.same(memo.nearest(35), { offset: 0, id: 0 }, 'past the limit, the checkpoints start again');
  t.same(memo.nearest(45), { offset: 40, id: 400 });

  memo.total = 7;
  t.equal(cache.memo('p', 'f').total, 7, 'the same memo for the same filter');
  cache.memo('p', 'g');
  cache.memo('p', 'h');
  t.equal(cache.memo('p', 'f').total, undefined, 'a project past its filter limit starts again');
  cache.memo('q', 'f').total = 1;
  cache.memo('r', 'f');
  t.equal(cache.memo('q', 'f').total, undefined, 'past the project limit, every project starts again');

  const first = cache.memo('s', 'f');
  first.rememberPage(0, 10, 'abcdef');
  t.equal(first.page(0, 10), 'abcdef');
  t.equal(first.page(10, 10), undefined);
  const second = cache.memo('s', 'g');
  second.rememberPage(0, 10, 'ghijk');
  t.equal(first.page(0, 10), undefined, 'past the byte budget, earlier pages are forgotten');
  t.equal(second.page(0, 10), 'ghijk');
});

t.test('forget one project, or all', async (t) => {
  const cache = new ListCache();
  cache.memo('p', 'f').total = 1;
  cache.memo('q', 'f').total = 2;
  cache.forget('p');
  t.equal(cache.memo('p', 'f').total, undefined);
  t.equal(cache.memo('q', 'f').total, 2);
  cache.forget();
  t.equal(cache.memo('q', 'f').total, undefined);
});

t.test('a long run of pages through a small budget keeps the newest, and stays bounded', async (t) => {
  const cache = new ListCache({ ...small, filtersPerProject: 10_000 });
  const memos = Array.from({ length: 3000 }, (_, i) => cache.memo('p', `filter-${i}`));
  memos.forEach((memo, i) => memo.rememberPage(0, 10, `p${String(i).padStart(4, '0')}`));
  t.equal(memos[2999]!.page(0, 10), 'p2999', 'the newest page is kept');
  t.equal(memos[2998]!.page(0, 10), 'p2998', 'and the one before it (two fit in ten bytes)');
  t.equal(memos[2997]!.page(0, 10), undefined, 'older ones are gone');
  t.equal(memos[0]!.page(0, 10), undefined);
});
