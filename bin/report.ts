/**
 * Prints, for every stack of a synthesized cloud assembly: resource counts by type and the capacity plans
 * (`npm run synth` runs it after `cdk synth`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const dir = process.argv[2] ?? 'cdk.out';
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf-8'));
for (const [name, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
  if (artifact.type !== 'aws:cloudformation:stack') continue;
  const template = JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf-8'));
  const counts: Record<string, number> = {};
  for (const r of Object.values<any>(template.Resources ?? {})) counts[r.Type] = (counts[r.Type] ?? 0) + 1;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(`\n${name}: ${total} resources`);
  for (const [type, n] of Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    console.log(`  ${String(n).padStart(4)}  ${type}`);
  }
  let monthly = 0;
  for (const output of Object.values<any>(template.Outputs ?? {})) {
    if (!/^Capacity plan of /.test(output.Description ?? '')) continue;
    const plan = JSON.parse(output.Value);
    const cost = plan.mode === 'PROVISIONED' ? plan.provisionedMonthlyCostUsd : plan.onDemandMonthlyCostUsd;
    monthly += cost;
    console.log(`  ${output.Description.replace(/^Capacity plan of /, 'plan of ')}: ${plan.mode}`
      + `${plan.shards ? `, ${plan.shards} shards` : ''}, binding ${plan.bindingConstraint}, ~$${cost.toFixed(2)}/month`
      + ` (provisioned $${plan.provisionedMonthlyCostUsd}, on-demand $${plan.onDemandMonthlyCostUsd})`);
  }
  if (monthly > 0) console.log(`  estimated Kinesis Data Streams cost: ~$${monthly.toFixed(2)}/month (us-east-1 prices)`);
}
