// total_num and pages: a client that walks the pages sees every match exactly once.
import t from 'tap';
import { listHosts, testApp } from '../helpers.js';

const ALL = 'enterprise_project_id=all_granted_eps';

t.test('walking pages as Terraform does (limit=20, offset += page length until an empty page)', async (t) => {
  const app = testApp(t, { hosts: 137 });
  for (const filter of ['', '&os_type=Linux', '&agent_status=not_online', '&detect_result=risk&os_type=Windows']) {
    const seen: string[] = [];
    let totals = new Set<number>();
    for (let offset = 0; ; ) {
      const { status, body } = await listHosts(app, `${ALL}${filter}&limit=20&offset=${offset}`);
      t.equal(status, 200);
      totals.add(body.total_num);
      if (body.data_list.length === 0) break;
      seen.push(...body.data_list.map((host) => host.host_id!));
      offset += body.data_list.length;
    }
    t.equal(totals.size, 1, `${filter || 'no filter'}: the same total_num on every page`);
    const [total] = totals;
    t.equal(seen.length, total, `${filter || 'no filter'}: as many hosts as total_num`);
    t.equal(new Set(seen).size, seen.length, `${filter || 'no filter'}: none twice`);
    const onePage = await listHosts(app, `${ALL}${filter}&limit=200`);
    t.same(seen, onePage.body.data_list.map((host) => host.host_id), 'the same hosts in the same order as one big page');
    totals = new Set();
  }
  const everything = await listHosts(app, `${ALL}&limit=200`);
  t.equal(everything.body.total_num, 137, 'the whole fleet');
});

t.test('total_num counts every match, data_list is the page', async (t) => {
  const app = testApp(t, { hosts: 30 });
  const { body } = await listHosts(app, `${ALL}&limit=7&offset=3`);
  t.equal(body.total_num, 30);
  t.equal(body.data_list.length, 7);
  const all = await listHosts(app, `${ALL}&limit=200`);
  t.same(body.data_list, all.body.data_list.slice(3, 10));
});

t.test('limit=0 answers an empty page with the true total', async (t) => {
  const app = testApp(t, { hosts: 30 });
  const { status, body } = await listHosts(app, `${ALL}&limit=0`);
  t.equal(status, 200);
  t.same(body, { total_num: 30, data_list: [] });
});

t.test('an offset at or past the end answers an empty page', async (t) => {
  const app = testApp(t, { hosts: 30 });
  for (const offset of [30, 31, 2000000]) {
    const { status, body } = await listHosts(app, `${ALL}&offset=${offset}`);
    t.equal(status, 200);
    t.same(body, { total_num: 30, data_list: [] }, `offset=${offset}`);
  }
  const last = await listHosts(app, `${ALL}&offset=29`);
  t.equal(last.body.data_list.length, 1, 'the last host alone');
});

t.test('an empty fleet', async (t) => {
  const app = testApp(t, { hosts: 0 });
  t.same((await listHosts(app, ALL)).body, { total_num: 0, data_list: [] });
});
