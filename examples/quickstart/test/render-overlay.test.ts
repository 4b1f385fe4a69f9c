import { describe, expect, it } from 'vitest';
import { renderOverlay } from '../src/render-overlay.js';

describe('quick start: the embedded default renders', () => {
  it('renders every overlay of the sample repository to Deployment, Service and ConfigMap', async () => {
    for (const overlay of ['dev', 'prod']) {
      const result = await renderOverlay(overlay);
      const kinds = result.objects.map((o) => o.kind).sort();
      expect(kinds).toEqual(['ConfigMap', 'Deployment', 'Service']);
      expect(result.yaml).toContain('kind: Deployment');
    }
  });
});
