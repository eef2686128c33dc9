import { buildFleetStatus } from './fleet-status';
import { COMMIT_A, COMMIT_B, deployed, DIGEST, NOW } from './__fixtures__/status-records';
import { escapeHtml, renderStatusHtml } from './status-html';

const HOSTILE_VERSION = `1.0.0"><script>alert('v')</script><img src="https://evil.example/x.png">`;
const HOSTILE_PROJECT = `<svg onload=alert(1)>&"'`;

/** Every tag the page opens (name only). */
const tags = (html: string) => [...new Set([...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1].toLowerCase()))].sort();

describe('renderStatusHtml', () => {
  const page = () => {
    const s = buildFleetStatus(
      [
        deployed(HOSTILE_PROJECT, 'staging', 90, { version: HOSTILE_VERSION, commit: COMMIT_A, artifactDigest: DIGEST, durationMs: 4000 }),
        deployed(HOSTILE_PROJECT, 'staging', 30, { version: '<b>2</b>', commit: COMMIT_B, result: 'failed' }),
        deployed('tv', 'staging', 10, { version: '1.0.0', commit: COMMIT_A }),
        deployed('tv', 'production', 5, { version: '1.0.0', commit: COMMIT_A }),
      ],
      `ledger <at> "odd" & place`,
      { historyLimit: 5 },
    );
    s.cells.find((c) => c.project === 'tv' && c.environment === 'staging')!.change = { changed: true };
    s.cells.find((c) => c.project === HOSTILE_PROJECT)!.change = { changed: null, why: `nx could not tell: <oops>` };
    return renderStatusHtml(s, NOW);
  };

  it('escapes every value: hostile project names, versions, ledger places and notes add no markup', () => {
    const html = page();
    expect(tags(html)).toEqual(['body', 'code', 'details', 'div', 'h1', 'head', 'html', 'meta', 'p', 'span', 'style', 'summary', 'table', 'tbody', 'td', 'th', 'thead', 'time', 'title', 'tr']);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<svg');
    expect(html).toContain(escapeHtml(HOSTILE_PROJECT));
    expect(html).toContain(escapeHtml(HOSTILE_VERSION));
    expect(html).toContain('&lt;b&gt;2&lt;/b&gt;');
    expect(html).toContain('ledger &lt;at&gt; &quot;odd&quot; &amp; place');
    expect(html).toContain('nx could not tell: &lt;oops&gt;');
  });

  it('is self-contained: no URL to load from, no script, a policy that forbids loading any', () => {
    // The hostile version holds a URL as text; everything else on the page is ours.
    const html = page().replaceAll(escapeHtml(HOSTILE_VERSION), '');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\s(?:src|href|srcset|action)=/i);
    expect(html).not.toMatch(/url\(|@import/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).toMatch(/<style>[^<]+<\/style>/);
  });

  it('the matrix: projects × environments, each cell with its history, failure and change flag', () => {
    const html = page();
    expect(html).toMatch(/<thead><tr><th>project<\/th><th>production<\/th><th>staging<\/th><\/tr><\/thead>/);
    // The hostile project was never deployed to production.
    expect(html).toContain('<td class="empty">not deployed</td>');
    expect(html).toContain('<td class="failed">');
    expect(html).toContain('✖ last deploy failed');
    expect(html).toContain('last 2 deploys');
    expect(html).toContain('● changed since its live commit');
    expect(html).toContain(`<code title="${DIGEST}">9f86d081</code>`);
    expect(html).toContain('<time datetime="2026-05-01T11:50:00.000Z" title="2026-05-01T11:50:00.000Z">10 min ago</time>');
    expect(html).toContain('no artefact digest recorded');
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });
});
