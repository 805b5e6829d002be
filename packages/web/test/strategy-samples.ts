/** One payload per render strategy, with the render the analyzer would store for it. */
export const STRATEGY_SAMPLES: Record<string, { data: Record<string, unknown>; render: Record<string, unknown> }> = {
  table: {
    data: { files: [{ path: 'src/app.ts', lines: 142, status: 'modified' }, { path: 'src/main.ts', lines: 40, status: 'added' }, { path: '<img src=x onerror="window.__pwned=1">', lines: 1, status: 'x' }] },
    render: { strategy: 'table', title: 'Files changed', fields: [{ path: '/files/0/path', label: 'Path', format: 'text' }, { path: '/files/0/lines', label: 'Lines', format: 'number' }, { path: '/files/0/status', label: 'Status', format: 'text' }] },
  },
  key_value: { data: { host: 'api-1', region: 'eu-west-1', healthy: true }, render: { strategy: 'key_value', title: 'Deployment', fields: [{ path: '/host', label: 'Host' }, { path: '/region', label: 'Region' }, { path: '/healthy', label: 'Healthy' }] } },
  timeline: {
    data: { events: [{ at: '2026-01-01T10:00:00Z', step: 'build' }, { at: '2026-01-01T10:02:30Z', step: 'test' }, { at: '2026-01-01T10:05:00Z', step: 'deploy' }] },
    render: { strategy: 'timeline', title: 'Pipeline', fields: [{ path: '/events/0/at', label: 'At', format: 'datetime' }, { path: '/events/0/step', label: 'Step' }] },
  },
  metric: { data: { latency_ms: 182, error_rate: 0.012, requests: 48210 }, render: { strategy: 'metric', title: 'Service health', fields: [{ path: '/latency_ms', label: 'p95 latency', format: 'ms' }, { path: '/error_rate', label: 'Error rate', format: 'percent' }, { path: '/requests', label: 'Requests', format: 'number' }] } },
  chart: { data: { series: [{ t: '2026-01-01T10:00:00Z', value: 3 }, { t: '2026-01-01T10:01:00Z', value: 7 }, { t: '2026-01-01T10:02:00Z', value: 5 }, { t: '2026-01-01T10:03:00Z', value: 9 }] }, render: { strategy: 'chart', title: 'Queue depth', fields: [{ path: '/series', label: 'Queue depth' }] } },
  code: { data: { language: 'typescript', code: 'export function add(a: number, b: number) {\n  // sums two numbers\n  return a + b;\n}' }, render: { strategy: 'code', title: 'Patch', fields: [{ path: '/code', label: 'Code' }] } },
  diff: { data: { before: 'const a = 1;\nconst b = 2;\n', after: 'const a = 1;\nconst b = 3;\n' }, render: { strategy: 'diff', title: 'Edit', fields: [] } },
  markdown: { data: { text: '# Release notes\n\n- **Faster** feed\n- [Docs](https://example.com/docs)\n\n<script>window.__pwned=1</script>\n<img src=x onerror="window.__pwned=1">' }, render: { strategy: 'markdown', title: 'Notes', fields: [{ path: '/text', label: 'Text' }] } },
  list: { data: { tags: ['alpha', 'beta', 'gamma'] }, render: { strategy: 'list', title: 'Tags', fields: [{ path: '/tags', label: 'Tags' }] } },
  json: { data: { nested: { deep: { value: [1, 2, 3] } }, ok: true }, render: { strategy: 'json', title: 'Payload', fields: [] } },
};
