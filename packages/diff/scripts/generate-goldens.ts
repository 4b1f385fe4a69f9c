// Regenerates test/fixtures/strategies/*/expected.json from case.yaml with the current engine.
// Run after a deliberate behaviour change, then review the golden diffs before committing:
//   pnpm tsx --conditions=source packages/diff/scripts/generate-goldens.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runStrategyCase, STRATEGY_CASES_DIR, strategyCaseNames } from '../test/strategy-cases.js';

for (const name of strategyCaseNames()) {
  const result = runStrategyCase(name);
  writeFileSync(join(STRATEGY_CASES_DIR, name, 'expected.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `${name}: modified=${result.modified} strategy=${result.strategy} changes=${result.changes.length}`,
  );
}
