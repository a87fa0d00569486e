/**
 * The synthesized app (cdk.out) as the local runner reads it: a stack's template with its intrinsic functions resolved to
 * local names, and its file assets (Lambda bundles, the Flink jar) by their S3 key. Nothing here is a second copy of the
 * configuration: every name, setting and asset comes from the template.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const LOCAL_ACCOUNT = '123456789012';
export const LOCAL_REGION = 'us-east-1';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: unknown;
  readonly Metadata?: unknown;
  readonly UpdateReplacePolicy?: string;
  readonly DeletionPolicy?: string;
  readonly Condition?: string;
}

export interface Assembly {
  readonly stackName: string;
  readonly resources: Readonly<Record<string, CfnResource>>;
  /** The local file or folder of a file asset, by the S3 object key the template names (`<hash>.zip`, `<hash>.jar`). */
  assetPath(objectKey: string): string;
}

/** Reads a stack of a cloud assembly; an unknown stack name lists the ones there are. */
export function readAssembly(cdkOut: string, stackName: string): Assembly {
  const manifestFile = path.join(cdkOut, 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new Error(`${manifestFile} not found: synthesize the app first (npx cdk synth)`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as {
    artifacts: Record<string,
      { type: string; properties?: { templateFile?: string }; displayName?: string }>;
  };
  const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  const found = stacks.find(([id, a]) => id === stackName || a.displayName === stackName);
  if (!found) throw new Error(`stack ${stackName} not in ${cdkOut}; stacks there: ${stacks.map(([id]) => id).join(', ')}`);
  const [id, artifact] = found;
  const template = JSON.parse(fs.readFileSync(path.join(cdkOut, artifact.properties!.templateFile!), 'utf8'));
  const assetsArtifact = Object.values(manifest.artifacts).find((a) => a.type === 'cdk:asset-manifest' && (a.properties as { file?: string })?.file === `${id}.assets.json`);
  const assetsFile = path.join(cdkOut, assetsArtifact ? (assetsArtifact.properties as { file: string }).file : `${id}.assets.json`);
  const assets = JSON.parse(fs.readFileSync(assetsFile, 'utf8')) as {
    files?: Record<string, { source: { path: string; packaging?: string }; destinations: Record<string, { objectKey: string }> }>;
  };
  const byKey = new Map<string, string>();
  for (const file of Object.values(assets.files ?? {})) {
    for (const d of Object.values(file.destinations)) byKey.set(d.objectKey, path.join(cdkOut, file.source.path));
  }
  return {
    stackName: id,
    resources: template.Resources ?? {},
    assetPath(objectKey: string): string {
      const p = byKey.get(objectKey);
      if (!p) throw new Error(`asset ${objectKey} is not in ${assetsFile}`);
      return p;
    },
  };
}
