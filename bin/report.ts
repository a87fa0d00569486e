/**
 * Prints, for every stack of a synthesized cloud assembly: resource counts by type, the capacity plans of the streams
 * and an estimate of the monthly cost of what the template fixes (`npm run synth` runs it after `cdk synth`).
 * Prices are us-east-1's (https://aws.amazon.com/kinesis/data-streams/pricing/ and the other services' price pages); traffic-dependent charges other than the streams'
 * (Firehose per GB, S3, OpenSearch, Redshift, Lambda, DynamoDB requests) are not included.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KinesisPrices } from '../lib/private/kinesis-limits';

const HOURS = KinesisPrices.HOURS_PER_MONTH;
const FLINK_KPU_HOUR = 0.11; // plus one orchestration KPU per application
const ALARM_MONTH = 0.10; // standard-resolution alarm, per metric it reads
const KMS_KEY_MONTH = 1.0;
const DASHBOARD_MONTH = 3.0;

const dir = process.argv[2] ?? 'cdk.out';
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf-8'));
for (const [name, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
  if (artifact.type !== 'aws:cloudformation:stack') continue;
  const template = JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf-8'));
  const resources = Object.values<any>(template.Resources ?? {});
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r.Type] = (counts[r.Type] ?? 0) + 1;
  console.log(`\n${name}: ${resources.length} resources`);
  for (const [type, n] of Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    console.log(`  ${String(n).padStart(4)}  ${type}`);
  }

  const cost: Record<string, number> = {};
  const add = (k: string, v: number) => { cost[k] = (cost[k] ?? 0) + v; };
  const planned = new Set<string>();
  for (const output of Object.values<any>(template.Outputs ?? {})) {
    if (!/^Capacity plan of /.test(output.Description ?? '')) continue;
    const plan = JSON.parse(output.Value);
    const usd = plan.mode === 'PROVISIONED' ? plan.provisionedMonthlyCostUsd : plan.onDemandMonthlyCostUsd;
    planned.add(output.Description.replace(/^Capacity plan of /, '').replace(/ \(.*$/, ''));
    add('Kinesis streams (planned traffic)', usd);
    console.log(`  plan of ${output.Description.replace(/^Capacity plan of /, '')}: ${plan.mode}`
      + `${plan.shards ? `, ${plan.shards} shards` : ''}, binding ${plan.bindingConstraint}, $${usd.toFixed(2)}/month`
      + ` (provisioned $${plan.provisionedMonthlyCostUsd}, on-demand $${plan.onDemandMonthlyCostUsd})`);
  }
  for (const r of resources) {
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::Kinesis::Stream': {
        // Streams without a plan (results, summaries): their fixed capacity charge only.
        if (planned.size > 0 && typeof p.ShardCount !== 'number') break;
        if (typeof p.ShardCount === 'number' && p.ShardCount === 1) add('Kinesis streams (fixed, unplanned)', KinesisPrices.PROVISIONED_SHARD_HOUR * HOURS);
        else if (p.StreamModeDetails?.StreamMode === 'ON_DEMAND' && planned.size === 0) add('Kinesis streams (fixed, unplanned)', KinesisPrices.ON_DEMAND_STREAM_HOUR * HOURS);
        break;
      }
      case 'AWS::KinesisAnalyticsV2::Application': {
        const par = p.ApplicationConfiguration?.FlinkApplicationConfiguration?.ParallelismConfiguration ?? {};
        const kpus = Math.ceil((par.Parallelism ?? 1) / (par.ParallelismPerKPU ?? 1)) + 1;
        add('Managed Flink KPUs (incl. orchestration)', kpus * FLINK_KPU_HOUR * HOURS);
        break;
      }
      case 'AWS::CloudWatch::Alarm':
        add('CloudWatch alarms', ALARM_MONTH * (p.Metrics ? p.Metrics.filter((m: any) => m.MetricStat).length : 1));
        break;
      case 'AWS::KMS::Key': add('KMS keys', KMS_KEY_MONTH); break;
      case 'AWS::CloudWatch::Dashboard': add('Dashboards', DASHBOARD_MONTH); break;
      case 'AWS::WAFv2::WebACL': add('WAF web ACL and rules', 5 + (p.Rules?.length ?? 0)); break;
      default:
    }
  }
  const total = Object.values(cost).reduce((a, b) => a + b, 0);
  console.log(`  estimated monthly cost: ~$${total.toFixed(2)} (us-east-1; excludes per-GB Firehose, S3, OpenSearch, Redshift, Lambda, DynamoDB)`);
  for (const [k, v] of Object.entries(cost).sort((a, b) => b[1] - a[1])) console.log(`    ${k.padEnd(44)} $${v.toFixed(2)}`);
}
