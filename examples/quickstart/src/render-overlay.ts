import { fileURLToPath } from 'node:url';
import { nodeFileSystem } from '@gitops-kit/core';
import { type RenderResult, renderKustomization } from '@gitops-kit/kustomize';

/** The sample deployment repository that ships with the examples. */
export const DEPLOY_REPO_DIR = fileURLToPath(new URL('../../deploy-repo', import.meta.url));

/** Renders one overlay (`dev`, `prod`) or `base` of the sample deployment repository from disk. */
export async function renderOverlay(overlay: string, repoDir: string = DEPLOY_REPO_DIR): Promise<RenderResult> {
  return renderKustomization(nodeFileSystem(), `${repoDir}/${overlay}`);
}
