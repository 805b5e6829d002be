// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { ActivityRender } from '../src/render/activity-render.tsx';
import { STRATEGY_SAMPLES } from './strategy-samples.ts';

afterEach(cleanup);

const draw = (strategy: string) => {
  const sample = STRATEGY_SAMPLES[strategy]!;
  return render(<ActivityRender data={sample.data} render={sample.render as never} status="COMPLETED" />);
};

describe('each render strategy draws the payload as described', () => {
  it('table: an HTML table with the field labels as headers, sortable', () => {
    draw('table');
    const table = screen.getByRole('table');
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Path', 'Lines', 'Status']);
    expect(within(table).getAllByRole('row')).toHaveLength(4);
    fireEvent.click(screen.getByRole('button', { name: 'Lines' }));
    const firstCells = within(table).getAllByRole('row').slice(1).map((r) => within(r).getAllByRole('cell')[1]!.textContent);
    expect(firstCells).toEqual(['1', '40', '142']);
  });

  it('key_value: a description list', () => {
    const { container } = draw('key_value');
    const dl = container.querySelector('dl')!;
    expect([...dl.querySelectorAll('dt')].map((d) => d.textContent)).toEqual(['Host', 'Region', 'Healthy']);
    expect([...dl.querySelectorAll('dd')].map((d) => d.textContent)).toEqual(['api-1', 'eu-west-1', 'true']);
  });

  it('timeline: an ordered list with times and gaps', () => {
    const { container } = draw('timeline');
    const items = container.querySelectorAll('ol.render-timeline > li');
    expect(items).toHaveLength(3);
    expect(items[0]!.querySelector('time')!.getAttribute('datetime')).toBe('2026-01-01T10:00:00Z');
    expect(items[1]!.textContent).toContain('+3 min');
    expect(items[2]!.textContent).toContain('deploy');
  });

  it('metric: figures with labels and units', () => {
    draw('metric');
    const figures = screen.getAllByRole('listitem').map((f) => f.textContent);
    expect(figures).toEqual(['182 msp95 latency', '1.2%Error rate', '48,210Requests']);
  });

  it('chart: a chart with a summary of its points', () => {
    draw('chart');
    expect(screen.getByRole('img', { name: /Queue depth: 4 points from 3 to 9/ })).toBeTruthy();
  });

  it('code: monospace with highlighted tokens and a copy button', () => {
    const { container } = draw('code');
    expect(container.querySelector('pre code')!.textContent).toContain('return a + b;');
    expect(container.querySelector('.tok-keyword')!.textContent).toBe('export');
    expect(container.querySelector('.tok-comment')!.textContent).toBe('// sums two numbers');
    expect(screen.getByRole('button', { name: 'Copy' })).toBeTruthy();
  });

  it('diff: added and removed lines marked with colour and with + / −', () => {
    const { container } = draw('diff');
    expect(container.querySelector('.diff-del')!.textContent).toBe('−const b = 2;');
    expect(container.querySelector('.diff-add')!.textContent).toBe('+const b = 3;');
    expect(container.querySelectorAll('.diff-ctx').length).toBeGreaterThan(0);
  });

  it('markdown: rendered headings, lists and safe links', () => {
    const { container } = draw('markdown');
    expect(screen.getByRole('heading', { name: 'Release notes' })).toBeTruthy();
    expect(container.querySelector('strong')!.textContent).toBe('Faster');
    const link = screen.getByRole('link', { name: 'Docs' });
    expect(link.getAttribute('href')).toBe('https://example.com/docs');
    expect(link.getAttribute('rel')).toContain('noopener');
  });

  it('list: the items as a list', () => {
    draw('list');
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('json: a collapsible tree with copy', () => {
    const { container } = draw('json');
    expect(container.querySelectorAll('details').length).toBeGreaterThan(1);
    expect(container.textContent).toContain('deep');
    expect(screen.getByRole('button', { name: 'Copy JSON' })).toBeTruthy();
  });
});

describe('renders never execute what they show', () => {
  it('a script or an event handler in Markdown stays text', () => {
    const { container } = draw('markdown');
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('[onerror]')).toBeNull();
    expect(container.textContent).toContain('<script>window.');
    expect(container.textContent).toContain('onerror=');
  });

  it('an HTML string in a table cell stays text', () => {
    const { container } = draw('table');
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByText('<img src=x onerror="window.__pwned=1">')).toBeTruthy();
  });

  it('a javascript: link in Markdown is not a link', () => {
    render(<ActivityRender data={{ text: '[click](javascript:alert(1)) and [ok](/runs)' }} render={{ strategy: 'markdown', fields: [{ path: '/text', label: 'Text' }] }} status="COMPLETED" />);
    expect(screen.queryByRole('link', { name: 'click' })).toBeNull();
    expect(screen.getByRole('link', { name: 'ok' }).getAttribute('href')).toBe('/runs');
  });
});

describe('pending renders and the raw view', () => {
  it('a PENDING activity shows its payload collapsed, then its render once it arrives', () => {
    const sample = STRATEGY_SAMPLES.key_value!;
    const { container, rerender } = render(<ActivityRender data={sample.data} render={null} status="PENDING" />);
    expect(screen.getByText('Rendering…')).toBeTruthy();
    expect(container.querySelector('details')!.hasAttribute('open')).toBe(false);
    rerender(<ActivityRender data={sample.data} render={sample.render as never} status="COMPLETED" />);
    expect(container.querySelector('dl')).not.toBeNull();
  });

  it('the raw JSON is one click away', () => {
    const { container } = draw('metric');
    fireEvent.click(screen.getByRole('button', { name: 'Raw JSON' }));
    expect(container.querySelector('.render-json')!.textContent).toContain('latency_ms');
    expect(screen.getByRole('button', { name: 'Rendered view' })).toBeTruthy();
  });
});
