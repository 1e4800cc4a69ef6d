/**
 * Renders FEATURES.md (the documented feature list) from the catalog in features.ts, the single
 * source of truth. `npx tsx cloud/src/ensemble/features-doc.ts` rewrites it; a test fails if the
 * committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FEATURES } from './features.ts';

export function renderFeatureDoc(): string {
  const lines = [
    '# Ensemble features',
    '',
    `Generated from \`features.ts\` by \`features-doc.ts\`: ${FEATURES.length} clip-level features, ${FEATURES.filter((f) => f.levelInvariant).length} level-invariant (used by the detectors).`,
    'Names are stable: they appear in cloud-verdict explanations and in serialised ensembles.',
    '',
    '| # | name | group | what it measures |',
    '|---:|---|---|---|',
  ];
  FEATURES.forEach((f, i) => {
    lines.push(
      `| ${i} | \`${f.name}\` | ${f.group} | ${f.description}${f.levelInvariant ? '' : ' (not used by the detectors)'} |`,
    );
  });
  return `${lines.join('\n')}\n`;
}

export const FEATURE_DOC_PATH = fileURLToPath(new URL('./FEATURES.md', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(FEATURE_DOC_PATH, renderFeatureDoc());
}
