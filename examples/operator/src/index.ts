/**
 * @packageDocumentation
 * The reference gitops-kit operator: the Application resource, its CRD, the work queue, the webhook
 * receiver, leader election and observability, built only from the public APIs of gitops-kit.
 */
export * from './app-cli.js';
export * from './application.js';
export * from './application-informer.js';
export * from './application-schema.js';
export * from './application-status.js';
export * from './applicationset/index.js';
export * from './auth/index.js';
export * from './cluster-registry.js';
export * from './conditions.js';
export * from './crd.js';
export * from './demo.js';
export * from './event-recorder.js';
export * from './health-customizations.js';
export * from './http-server.js';
export * from './leader-election.js';
export * from './live-object-watcher.js';
export * from './logger.js';
export * from './metrics.js';
export * from './operations.js';
export * from './operator.js';
export * from './reconciler.js';
export * from './reference-operator.js';
export * from './render-source.js';
export * from './repo-url.js';
export * from './repository-credentials.js';
export * from './seed-repo.js';
export * from './status-writer.js';
export * from './target-revision.js';
export * from './validating-reconciler.js';
export * from './webhook.js';
export * from './work-queue.js';
