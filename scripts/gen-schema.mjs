// Writes pipeline.schema.json (published for editors) from lib/pipeline/schema.ts; run after
// npm run build. test/lib/pipeline/schema.test.ts fails when the file is out of date.
import { writeFileSync } from 'node:fs';
import { pipelineSchema } from '../dist/lib/pipeline/schema.js';

writeFileSync(new URL('../pipeline.schema.json', import.meta.url), JSON.stringify(pipelineSchema, null, 2) + '\n');
