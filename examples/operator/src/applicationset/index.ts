/**
 * @packageDocumentation
 * ApplicationSet-like generation for the reference operator, as pure functions: generators (list,
 * clusters, git directories and files, matrix, merge) produce parameter sets, a `{{param}}`
 * template renders each into an Application, and a plan says what to create, update, delete or
 * orphan; the controller applies the plan and reports on the ApplicationSet.
 */
export * from './applications.js';
export * from './cluster-generator.js';
export * from './combine.js';
export * from './context.js';
export * from './controller.js';
export * from './crd.js';
export * from './generate.js';
export * from './git-generator.js';
export * from './glob.js';
export * from './list-generator.js';
export * from './plan.js';
export * from './reconcile.js';
export * from './schema.js';
export * from './template.js';
