import fc from 'fast-check';

// CI replays one fixed sequence of property-test draws (as packages/diff does); FC_SEED replays a failure.
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : process.env.CI ? 20261126 : undefined;
if (seed !== undefined) fc.configureGlobal({ seed });
