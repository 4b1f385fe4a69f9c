import { describe, expectTypeOf, it } from 'vitest';
import { type RenderDiffOptions, type RenderOptions, renderDiff } from '../src/index.js';

// Issue 16 item 5: @gitops-kit/kustomize exported a `RenderOptions` too; a program using both
// packages imported two types of one name.
describe('renderDiff options', () => {
  it('are named RenderDiffOptions, RenderOptions kept as a deprecated alias', () => {
    expectTypeOf(renderDiff).parameter(1).toEqualTypeOf<RenderDiffOptions | undefined>();
    expectTypeOf<RenderOptions>().toEqualTypeOf<RenderDiffOptions>();
  });
});
