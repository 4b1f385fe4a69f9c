import { nodeFileSystem } from '../core/src/index.js';
import { renderKustomization } from './src/index.js';

const out = await renderKustomization(nodeFileSystem(), process.argv[2]!);
process.stdout.write(out.yaml);
