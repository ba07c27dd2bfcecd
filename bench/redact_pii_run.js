// redact_pii_run.js — run the npm package redact-pii (peer benchmark) over a file, one field per
// line, writing the redacted lines; prints the CPU time spent redacting (excluding start-up) on stderr.
'use strict';
const fs = require('fs');
const { SyncRedactor } = require('redact-pii');
const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n');
const redactor = new SyncRedactor();
const out = new Array(lines.length);
const c0 = process.cpuUsage();
for (let i = 0; i < lines.length; i++) out[i] = redactor.redact(lines[i]);
const c1 = process.cpuUsage(c0);
fs.writeFileSync(process.argv[3], out.join('\n'));
process.stderr.write(`seconds ${(c1.user + c1.system) / 1e6}\n`);
