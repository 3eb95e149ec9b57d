// Once per browser-test run, before any file: builds the editor bundle the product serves, so the
// files do not each build the same bundle again (test/e2e/product.ts asks `inject('editorBuilt')`).
// E2E_BASE_URL (an already running product) and E2E_BUILD=0 (use the built editor as it is) skip it.
import type { TestProject } from 'vitest/node';
import { buildEditor } from './editor-build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    editorBuilt: boolean;
  }
}

export default function setup(project: TestProject): void {
  const build = !process.env.E2E_BASE_URL && process.env.E2E_BUILD !== '0';
  if (build) buildEditor();
  project.provide('editorBuilt', build);
}
