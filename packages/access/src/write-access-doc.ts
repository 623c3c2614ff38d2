// Writes docs/access.md from the shipped policies: node packages/access/src/write-access-doc.ts
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderAccessDoc } from './authz/access-matrix.ts';
import { PolicyEngine } from './authz/policy-engine.ts';

const target = path.resolve(import.meta.dirname, '../../../docs/access.md');
writeFileSync(target, renderAccessDoc(new PolicyEngine()));
process.stdout.write(`wrote ${target}\n`);
