// The web console in a real browser (headless Chromium): what it shows is what the API answers,
// what it changes the API serves, and what it shows cannot run as code. Saves a picture of each view.
import t from 'tap';
import type { Browser, Page } from 'playwright-core';
import type { Host } from '../../src/contract/schemas.js';
import { checkPage, launchChromium, openConsole, shellWords, tableHostIds, TOKEN, waitForHosts } from './browser.js';

const browser = await launchChromium();
if (typeof browser === 'string') {
  // CI must run them; elsewhere a missing browser only skips them, saying how to get it.
  if (process.env.CI) t.fail(browser);
  else t.plan(0, browser);
} else {
  t.teardown(() => browser.close());
  consoleTests(browser);
}

const HOSTS = (project: string, query: string) => `/v5/${project}/host-management/hosts?${query}`;

/** Chooses a project in the header's picker, as a user types one. */
async function chooseProject(page: Page, project: string): Promise<void> {
  await page.fill('#project', project);
  await page.press('#project', 'Enter');
}

function consoleTests(browser: Browser): void {
  t.test('Hosts: the table holds exactly the page the API answers for the same project, filters and offset', async (t) => {
    const session = await openConsole(t, browser, {
      options: { hosts: 60, seed: 2 },
      arrange: async (mock) => {
        await mock.hosts.generate('alpha', 3);
        await mock.hosts.generate('demo', 80, 4);
      },
    });
    const { page } = session;
    await waitForHosts(page, 'alpha', { limit: '10', offset: '0' });
    t.equal(await page.inputValue('#project'), 'alpha', 'the first project in use is chosen');
    t.same(
      await page.$$eval('#project-list option', (options) => options.map((option) => [(option as HTMLOptionElement).value, option.textContent])),
      [
        ['alpha', '3 hosts'],
        ['demo', '80 hosts'],
      ],
      'the picker lists the projects in use with their host counts',
    );

    await chooseProject(page, 'demo');
    await waitForHosts(page, 'demo', { limit: '10', offset: '0' });
    const first = await session.api(HOSTS('demo', 'limit=10'));
    t.same(await tableHostIds(page), first.body.data_list.map((host: Host) => host.host_id), 'the default query: the default enterprise project');

    await page.fill('input[name="enterprise_project_id"]', 'all_granted_eps');
    await page.click('#host-filters button[type="submit"]');
    await page.selectOption('select[name="os_type"]', 'Linux');
    await page.selectOption('#page-size', '20');
    await waitForHosts(page, 'demo', { enterprise_project_id: 'all_granted_eps', os_type: 'Linux', limit: '20', offset: '0' });
    await page.click('#page-next');
    const query = { enterprise_project_id: 'all_granted_eps', os_type: 'Linux', limit: '20', offset: '20' };
    await waitForHosts(page, 'demo', query);
    const answer = await session.api(HOSTS('demo', new URLSearchParams(query).toString()));
    t.equal(answer.status, 200);
    t.ok(answer.body.data_list.length > 0 && answer.body.total_num > 20, 'a second page with hosts on it');
    t.same(await tableHostIds(page), answer.body.data_list.map((host: Host) => host.host_id), 'the same hosts, in the same order');
    t.same(
      await page.$$eval('#hosts-table tbody tr td:first-child', (cells) => cells.map((cell) => cell.textContent)),
      answer.body.data_list.map((host: Host) => host.host_name),
    );
    t.equal(await page.getAttribute('#hosts-total', 'data-total'), String(answer.body.total_num), 'and its total_num');
    t.equal(await page.textContent('#hosts-total'), `total_num: ${answer.body.total_num}`);
    await session.screenshot('hosts');

    await page.selectOption('select[name="agent_status"]', 'not_online');
    const filtered = { ...query, agent_status: 'not_online', offset: '0' };
    await waitForHosts(page, 'demo', filtered);
    const notOnline = await session.api(HOSTS('demo', new URLSearchParams(filtered).toString()));
    t.same(await tableHostIds(page), notOnline.body.data_list.map((host: Host) => host.host_id), 'a select applies at once, from the first page');

    await page.fill('input[name="host_name"]', 'x'.repeat(257));
    await page.click('#host-filters button[type="submit"]');
    await page.waitForSelector('#notice:not([hidden])');
    t.match(await page.textContent('#notice-text'), '400 HSS.0001: Invalid parameter. host_name: must be at most 256 characters', "a bad value: the API's own error");
    await page.click('#filters-clear');
    await waitForHosts(page, 'demo', { limit: '20', offset: '0' });

    t.ok(
      session.requested.filter((url) => url.includes('/list?')).every((url) => Number(new URL(url).searchParams.get('limit')) <= 200),
      'every page is asked of the server, at most 200 hosts at a time',
    );
    t.notOk(session.requested.some((url) => /\/_mock\/projects\/[^/]+\/hosts$/.test(new URL(url).pathname)), 'never a download of the fleet');
    t.equal(session.mock.requests.list().total, 3, 'the journal holds the test’s own API calls only');
    checkPage(t, session);
  });

  t.test('Hosts: every parameter the OpenAPI document has becomes a control; sort_key and sort_dir are the sort control', async (t) => {
    const session = await openConsole(t, browser, {
      options: { hosts: 5 },
      arrange: (mock) => mock.hosts.generate('demo', 5),
      // The document of an API with newer parameters: the ones it lacks are added.
      prepare: async (page) => {
        await page.route('**/_mock/openapi.json', async (route) => {
          const response = await route.fetch();
          const doc = await response.json();
          const parameters = doc.paths['/v5/{project_id}/host-management/hosts'].get.parameters as { name: string }[];
          const newer = [
            { name: 'has_vul', in: 'query', schema: { type: 'boolean' }, description: 'Whether the host has vulnerabilities' },
            { name: 'has_baseline', in: 'query', schema: { type: 'boolean' } },
            { name: 'has_intrusion', in: 'query', schema: { type: 'boolean' } },
            { name: 'host_name_list', in: 'query', schema: { type: 'string', maxLength: 1024 } },
            { name: 'sort_key', in: 'query', schema: { type: 'string', enum: ['risk_num', 'recent_scan_time'] } },
            { name: 'sort_dir', in: 'query', schema: { type: 'string', enum: ['asc', 'desc'] } },
          ];
          for (const parameter of newer) if (!parameters.some(({ name }) => name === parameter.name)) parameters.push(parameter);
          await route.fulfill({ response, json: doc });
        });
      },
    });
    const { page } = session;
    await waitForHosts(page, 'demo', { limit: '10', offset: '0' });
    t.same(await page.$$eval('select[name="has_vul"] option', (options) => options.map((option) => option.textContent)), ['any', 'true', 'false'], 'a boolean: any, true, false');
    t.equal(await page.getAttribute('input[name="host_name_list"]', 'type'), 'text');
    t.same(await page.$$eval('select[name="version"] option', (options) => options.length), 8, 'an enum: any and each value');
    t.equal(await page.$('#host-filters [name="sort_key"]'), null, 'sorting is not a filter');
    t.ok(await page.isVisible('#sort-control'));
    t.same(await page.$$eval('#sort-key option', (options) => options.map((option) => option.textContent)), ['API order', 'risk_num', 'recent_scan_time']);
    await page.selectOption('select[name="has_vul"]', 'true');
    await page.selectOption('#sort-key', 'risk_num');
    await page.selectOption('#sort-dir', 'desc');
    await waitForHosts(page, 'demo', { has_vul: 'true', sort_key: 'risk_num', sort_dir: 'desc', limit: '10', offset: '0' });
    t.pass('the page was asked with the new filter and the sort');

    await page.click('#tabs a[data-view="overview"]');
    await page.waitForSelector('#charts[data-loaded="demo"]');
    t.same(
      await page.$$eval('#charts figure[data-chart="risks"] g.bar', (bars) => bars.map((bar) => bar.getAttribute('data-value'))),
      ['has_vul', 'has_baseline', 'has_intrusion'],
      'the risks chart, once the API has its flags',
    );
    const counts = session.requested.map((url) => new URL(url).searchParams).filter((query) => query.get('limit') === '0');
    t.same(
      counts.flatMap((query) => [...query.keys()].filter((name) => name.startsWith('has_') && query.get(name) === 'true')),
      ['has_vul', 'has_baseline', 'has_intrusion'],
      'each flag counted once, with limit=0',
    );
    checkPage(t, session);
  });

  t.test('Hosts: a host edited in the console is served changed; a deleted one is gone; generate and reset', async (t) => {
    const session = await openConsole(t, browser, {
      options: { hosts: 30 },
      arrange: (mock) =>
      mock.hosts.replace('demo', [
        { host_id: 'h-1', host_name: 'web-1', os_type: 'Linux', agent_status: 'online', labels: ['pci'], enterprise_project_id: '0' },
        { host_id: 'h-2', host_name: 'db-1', os_type: 'Linux', agent_status: 'online', enterprise_project_id: '0' },
        { host_id: 'h-3', host_name: 'win-1', os_type: 'Windows', agent_status: 'offline', enterprise_project_id: '0' },
      ]),
    });
    const { page } = session;
    await waitForHosts(page, 'demo', { limit: '10', offset: '0' });
    await page.click('tr[data-host-id="h-1"]');
    const shown = JSON.parse(await page.inputValue('#host-json'));
    const before = await session.api(HOSTS('demo', 'host_id=h-1'));
    t.same(shown, before.body.data_list[0], 'the panel holds the host as the API serves it');

    const { labels: _removed, ...kept } = shown;
    await page.fill('#host-json', JSON.stringify({ ...kept, host_name: 'web-renamed', agent_status: 'offline' }, null, 2));
    await page.click('#host-save');
    await page.waitForFunction(() => document.querySelector('#host-message')?.textContent?.startsWith('Saved'));
    t.equal(await page.textContent('#host-message'), 'Saved (PATCH {"labels":null,"host_name":"web-renamed","agent_status":"offline"}).', 'sent as a merge patch');
    const after = (await session.api(HOSTS('demo', 'host_id=h-1'))).body.data_list[0];
    t.match(after, { host_id: 'h-1', host_name: 'web-renamed', agent_status: 'offline' }, "the API's next answer shows the change");
    t.notOk('labels' in after, 'a removed field is gone');
    await page.waitForSelector('tr[data-host-id="h-1"] >> text=web-renamed');
    await page.evaluate(() => {
      document.querySelector('#hosts-body .toolbar')?.scrollIntoView();
      document.querySelector('#host-json')?.scrollTo(0, 0);
    });
    await session.screenshot('host');

    await page.fill('#host-json', '{"host_id": "h-1", "os_type": "Solaris"}');
    await page.click('#host-save');
    await page.waitForFunction(() => document.querySelector('#host-message')?.textContent?.includes('MOCK.0400'));
    t.match(await page.textContent('#host-message'), 'os_type: must be one of: Linux, Windows', "a bad host: the control API's error");

    await page.click('tr[data-host-id="h-2"]');
    await page.click('#host-delete');
    await page.waitForSelector('tr[data-host-id="h-2"]', { state: 'detached' });
    t.equal((await session.api(HOSTS('demo', 'host_id=h-2'))).body.total_num, 0, 'deleted: the API has it no more');
    t.equal((await session.api(HOSTS('demo', 'limit=10'))).body.total_num, 2);

    await page.click('details.arrange summary');
    await page.fill('#generate-count', '7');
    await page.fill('#generate-seed', '5');
    await page.click('#generate-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('#notice-text')?.textContent === 'Generated 7 hosts in demo.');
    const generated = await session.api(HOSTS('demo', 'enterprise_project_id=all_granted_eps'));
    t.equal(generated.body.total_num, 7, 'generate: the fleet the API serves');
    await waitForHosts(page, 'demo', { limit: '10', offset: '0' });
    t.same(await tableHostIds(page), (await session.api(HOSTS('demo', 'limit=10'))).body.data_list.map((host: Host) => host.host_id));

    await page.click('#project-reset');
    await page.waitForFunction(() => document.querySelector('#notice-text')?.textContent === 'demo is back to its start-up state.');
    t.equal((await session.api(HOSTS('demo', 'enterprise_project_id=all_granted_eps'))).body.total_num, 30, 'reset: the start-up fleet (--hosts 30)');
    checkPage(t, session);
  });

  t.test('Requests: a client request appears by itself with its decoded query; "copy as curl" reproduces it', async (t) => {
    const session = await openConsole(t, browser, { options: { hosts: 20 }, path: '/_mock/ui/#requests' });
    const { page, mock } = session;
    await page.waitForSelector('#requests-total:has-text("0 requests")');
    const pollMs = await page.evaluate(async () => (await import('/_mock/ui/requests.js' as string)).POLL_MS);
    t.ok(pollMs <= 1000, `the journal is read again every ${pollMs} ms while shown, so a request shows within about a second`);

    const query = 'host_name=ecs%20%C3%A9t%C3%A9&agent_status=online&limit=3&label=a%2Bb+c';
    const original = await session.api(HOSTS('demo', query), { 'X-Auth-Token': TOKEN, region: 'cn-north-4' });
    const requestId = original.headers.get('x-request-id')!;
    await page.waitForSelector(`tr[data-request-id="${requestId}"]`);
    t.pass('the request appeared without any action in the page');
    const refused = await session.api(HOSTS('demo', 'limit=1'), {});
    await page.waitForSelector(`tr[data-request-id="${refused.headers.get('x-request-id')}"]`);

    await page.click(`tr[data-request-id="${requestId}"]`);
    const field = (name: string) => page.textContent(`dd[data-field="${name}"]`);
    t.equal(await field('method'), 'GET');
    t.equal(await field('path'), '/v5/demo/host-management/hosts');
    t.equal(await field('status'), '200');
    t.equal(await field('auth'), 'token');
    t.match(await field('caller'), /^token:[0-9a-f]{8}$/);
    t.equal(await field('region'), 'cn-north-4');
    t.equal(await field('request id'), requestId);
    t.same(
      await page.$$eval('#request-query td[data-parameter]', (cells) => cells.map((cell) => [(cell as HTMLElement).dataset.parameter, cell.textContent])),
      [
        ['host_name', 'ecs été'],
        ['agent_status', 'online'],
        ['limit', '3'],
        ['label', 'a+b c'],
      ],
      'the query, decoded',
    );
    await session.screenshot('requests');

    const command = await page.inputValue('#request-curl');
    t.match(command, "-H 'X-Auth-Token: <token>'", 'a placeholder for the credentials');
    t.notMatch(command, TOKEN, 'never the token itself');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: mock.url });
    await page.click('#request-copy');
    await page.waitForFunction(() => document.querySelector('#notice-text')?.textContent === 'The curl command is on the clipboard.');
    t.equal(await page.evaluate(() => navigator.clipboard.readText()), command, 'the button copies the command');

    const [curl, ...args] = shellWords(command.replace('<token>', 'another-token'));
    t.equal(curl, 'curl');
    const headers: Record<string, string> = {};
    let url = '';
    for (let i = 0; i < args.length; i += 1) {
      if (args[i] === '-H') {
        const [name, ...value] = args[++i]!.split(': ');
        headers[name!] = value.join(': ');
      } else if (args[i] !== '-i') url = args[i]!;
    }
    t.same(headers, { 'X-Auth-Token': 'another-token', region: 'cn-north-4' });
    const replayed = await session.api(url.slice(mock.url.length), headers);
    t.equal(replayed.status, 200);
    t.same(replayed.body, original.body, 'the copied command is answered like the original');
    const journal = mock.requests.list({ order: 'desc', limit: 1 }).requests[0]!;
    t.same(journal.query, { host_name: 'ecs été', agent_status: 'online', limit: '3', label: 'a+b c' }, 'with the same decoded query');
    t.equal(journal.region, 'cn-north-4');

    const odd = await session.api(HOSTS('demo', 'label=&x=1&x=2'));
    t.equal(odd.status, 400);
    await page.click(`tr[data-request-id="${odd.headers.get('x-request-id')}"]`);
    t.same(
      await page.$$eval('#request-query td[data-parameter]', (cells) => cells.map((cell) => [(cell as HTMLElement).dataset.parameter, cell.textContent])),
      [
        ['label', '(empty)'],
        ['x', '["1","2"]'],
      ],
      'an empty value and a repeated parameter, as received',
    );
    t.match(await page.inputValue('#request-curl'), "/host-management/hosts?label=&x=1&x=2'", 'and copied as received');

    await page.fill('#requests-status', '401');
    await page.press('#requests-status', 'Enter');
    await page.waitForSelector('#requests-total:has-text("1 request")');
    t.same(await page.$$eval('#requests-table tbody tr', (rows) => rows.map((row) => (row as HTMLElement).dataset.requestId)), [refused.headers.get('x-request-id')], 'filtered by status');
    await page.click(`tr[data-request-id="${refused.headers.get('x-request-id')}"]`);
    t.notMatch(await page.inputValue('#request-curl'), 'X-Auth-Token', 'a request sent without credentials is copied without them');
    checkPage(t, session);
  });

  t.test('Faults: "throttle the next 2" added in the console: two 429 APIGW.0308, then 200', async (t) => {
    const session = await openConsole(t, browser, { options: { hosts: 5 }, path: '/_mock/ui/#faults', arrange: (mock) => mock.hosts.generate('demo', 5) });
    const { page } = session;
    await page.waitForSelector('#faults-total:has-text("0 rules")');
    t.equal(await page.inputValue('#fault-project'), 'demo', 'for the chosen project');
    t.equal(await page.textContent('#fault-preview'), '{"project_id":"demo","action":"error","status":429,"times":2}', 'the rule it will add');
    await page.click('#fault-form button[type="submit"]');
    await page.waitForSelector('#faults-table tbody tr[data-fault-id]');
    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      const answer = await session.api(HOSTS('demo', 'limit=1'));
      statuses.push([answer.status, answer.body.error_code]);
    }
    t.same(statuses, [
      [429, 'APIGW.0308'],
      [429, 'APIGW.0308'],
      [200, undefined],
    ]);
    await page.waitForFunction(
      () => ['matched', 'fired'].map((count) => document.querySelector(`#faults-table td[data-count="${count}"]`)?.textContent).join() === '3,2',
    );
    t.pass('the counts update by themselves: 3 matched, 2 fired');

    await page.selectOption('#fault-preset', 'fail');
    await page.selectOption('#fault-status', '502');
    await page.fill('#fault-fraction', '1');
    t.equal(await page.textContent('#fault-preview'), '{"project_id":"demo","action":"error","status":502,"fraction":1}');
    await page.click('#fault-form button[type="submit"]');
    await page.waitForSelector('#faults-total:has-text("2 rules")');
    t.equal((await session.api(HOSTS('demo', 'limit=1'))).status, 502);
    await page.selectOption('#fault-preset', 'delay');
    t.equal(await page.textContent('#fault-preview'), '{"project_id":"demo","action":"delay","delay_ms":200,"delay_max_ms":800}');
    await session.screenshot('faults');

    const [first] = await page.$$eval('#faults-table tbody tr', (rows) => rows.map((row) => (row as HTMLElement).dataset.faultId));
    await page.click(`button[data-remove="${first}"]`);
    await page.waitForSelector('#faults-total:has-text("1 rule")');
    await page.click('#faults-clear');
    await page.waitForSelector('#faults-total:has-text("0 rules")');
    t.same((await fetch(`${session.mock.url}/_mock/faults`).then((response) => response.json())).total, 0, 'removed on the server');
    t.equal((await session.api(HOSTS('demo', 'limit=1'))).status, 200);
    checkPage(t, session);
  });

  t.test('Overview: each bar is the count the API gives, from limit=0 queries only', async (t) => {
    const session = await openConsole(t, browser, { options: { hosts: 10 }, path: '/_mock/ui/#overview', arrange: (mock) => mock.hosts.generate('demo', 120, 9) });
    const { page, mock } = session;
    await page.waitForSelector('#charts[data-loaded="demo"]');
    t.equal(mock.requests.list().total, 0, 'the console added nothing to the journal');
    const bars = await page.$$eval('#charts figure', (figures) =>
      figures.map((figure) => ({
        chart: figure.getAttribute('data-chart'),
        bars: [...figure.querySelectorAll('g.bar')].map((bar) => [bar.getAttribute('data-value'), Number(bar.getAttribute('data-count'))] as const),
      })),
    );
    t.same(
      bars.map(({ chart }) => chart),
      ['agent_status', 'os_type', 'version', 'protect_status', 'detect_result', ...(bars.some(({ chart }) => chart === 'risks') ? ['risks'] : []), 'asset_value', 'host_status'],
    );
    for (const { chart, bars: counts } of bars.filter(({ chart }) => chart !== 'risks')) {
      let sum = 0;
      for (const [value, count] of counts) {
        const answer = await session.api(HOSTS('demo', `enterprise_project_id=all_granted_eps&limit=0&${chart}=${value}`));
        t.equal(count, answer.body.total_num, `${chart}=${value}`);
        sum += count;
      }
      if (chart !== 'version') t.equal(sum, 120, `${chart}: the bars add up to the fleet`);
    }
    t.equal(await page.textContent('#overview-total'), 'demo: 120 hosts');
    const lists = session.requested.filter((url) => new URL(url).pathname.endsWith('/list'));
    t.ok(lists.length > 20, `${lists.length} counts`);
    t.ok(lists.every((url) => new URL(url).searchParams.get('limit') === '0'), 'every one with limit=0: no host is downloaded');
    await session.screenshot('overview');
    checkPage(t, session);
  });

  t.test('What the console shows is text: a host named like HTML shows as its name, and no inline script can run', async (t) => {
    const name = '<img src=x onerror=alert(1)>';
    const session = await openConsole(t, browser, {
      arrange: (mock) =>
      mock.hosts.replace('demo', [{ host_id: 'x"><script>alert(2)</script>', host_name: name, labels: ['<b>bold</b>'], enterprise_project_id: '0' }]),
    });
    const { page } = session;
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await waitForHosts(page, 'demo', { limit: '10', offset: '0' });
    t.equal(await page.textContent('#hosts-table tbody td:first-child'), name, 'the name, as text');
    await page.click('#hosts-table tbody tr');
    t.match(await page.textContent('#host-title'), name);
    t.same(await page.$$eval('main img, main script, main b', (elements) => elements.length), 0, 'no element made of data');

    await session.api(HOSTS('demo', `host_name=${encodeURIComponent('<script>alert(3)</script>')}`));
    await page.click('#tabs a[data-view="requests"]');
    await page.waitForSelector('#requests-table tbody tr');
    await page.click('#requests-table tbody tr');
    t.equal(await page.textContent('#request-query td[data-parameter="host_name"]'), '<script>alert(3)</script>');

    const blocked = await page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (event) => violations.push(event.effectiveDirective));
      const script = document.createElement('script');
      script.textContent = 'window.inlineScriptRan = true';
      document.body.append(script);
      const button = document.createElement('button');
      button.setAttribute('onclick', 'window.inlineHandlerRan = true');
      document.body.append(button);
      button.click();
      const elsewhere = await fetch('http://192.0.2.1/').then(
        () => 'answered',
        () => 'refused',
      );
      // Violation events are dispatched as tasks: wait for the three.
      while (violations.length < 3) await new Promise((resolve) => requestAnimationFrame(resolve));
      const w = window as { inlineScriptRan?: boolean; inlineHandlerRan?: boolean };
      return { script: w.inlineScriptRan, handler: w.inlineHandlerRan, elsewhere, violations: violations.sort() };
    });
    t.same(blocked, { script: undefined, handler: undefined, elsewhere: 'refused', violations: ['connect-src', 'script-src-attr', 'script-src-elem'] }, 'the policy stops inline code and other origins');
    t.same(dialogs, [], 'no alert ever ran');
    session.requested.splice(session.requested.indexOf('http://192.0.2.1/'), 1);
    checkPage(t, session);
  });

  t.test('With --admin-token: nothing loads until the token is given; a wrong one is refused; it is kept for the tab only', async (t) => {
    const session = await openConsole(t, browser, { options: { adminToken: 'adm1n-s3cret' }, arrange: (mock) =>
        mock.hosts.replace(
          'demo',
          ['a', 'b', 'c', 'd'].map((host_id) => ({ host_id, enterprise_project_id: '0' })),
        ),
    });
    const { page, mock } = session;
    const { answers } = session;
    await page.waitForSelector('#login:not([hidden])');
    t.ok(await page.isHidden('#views'));
    t.equal(await page.textContent('#login-error'), '', 'asked, not yet refused');

    await page.fill('#login-token', 'wrong');
    await page.click('#login-form button');
    await page.waitForFunction(() => document.querySelector('#login-error')?.textContent?.includes('refused'));
    t.equal(await page.textContent('#login-error'), 'This admin token was refused (401 MOCK.0401). Check the --admin-token hss-mock was started with.');
    t.equal(await page.evaluate(() => sessionStorage.length), 0, 'a refused token is not kept');
    t.ok(await page.isHidden('#views'));
    t.same(
      answers.map(({ path, status }) => [path, status]),
      [
        ['/_mock/projects', 401],
        ['/_mock/projects', 401],
      ],
      'before the right token: one probe per attempt, refused; nothing else asked',
    );
    t.equal(await page.$$eval('#hosts-table tbody tr', (rows) => rows.length), 0, 'no data shown');

    answers.length = 0;
    await page.fill('#login-token', 'adm1n-s3cret');
    await page.click('#login-form button');
    await waitForHosts(page, 'demo', { limit: '10', offset: '0' });
    t.equal(await page.$$eval('#hosts-table tbody tr', (rows) => rows.length), 4);
    t.ok(answers.length >= 4);
    t.same(answers.filter(({ status, authorization }) => status !== 200 || authorization !== 'Bearer adm1n-s3cret'), [], 'every call carried the token and was answered');
    t.same(await page.evaluate(() => [sessionStorage.getItem('hss-mock.admin-token'), localStorage.length]), ['adm1n-s3cret', 0], 'in sessionStorage, not localStorage');

    const otherTab = await page.context().newPage();
    await otherTab.goto(`${mock.url}/_mock/ui/`);
    await otherTab.waitForSelector('#login:not([hidden])');
    t.pass('another tab asks again');
    await otherTab.close();

    await page.click('#forget-token');
    await page.waitForSelector('#login:not([hidden])');
    t.equal(await page.evaluate(() => sessionStorage.getItem('hss-mock.admin-token')), null, 'forgotten on request');
    checkPage(t, session);
  });
}
