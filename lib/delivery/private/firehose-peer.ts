import { CfnMapping, Fn, Lazy, Stack, Token, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, IConstruct } from 'constructs';

/** The id aws-cdk-lib's DeliveryStream gives the same mapping, so a stack holding both carries it once. */
const MAPPING_ID = '@aws-cdk/aws-kinesisfirehose.CidrBlocks';

/**
 * The Region → Firehose CIDR block mapping, in the template only when something in it looks the block up.
 *
 * aws-cdk-lib's DeliveryStream looks the block up in its constructor for its `connections` peer, so in a stack without a
 * concrete Region its lazy mapping is always rendered, referenced or not, and CloudFormation validation warns
 * (W7001, "Mapping ... is not referenced by any Fn::FindInMap") at every user's synth. The delivery constructs create
 * this mapping first under the id the DeliveryStream looks for: a lookup it makes is a token that marks the mapping
 * referenced only when a template resolves it (aws-cdk-lib resolves every element while it prepares the app, before any
 * template is rendered), so the mapping is rendered exactly when a security group rule or another value uses the block.
 */
class FirehoseCidrBlocks extends CfnMapping {
  private readonly entries: Record<string, Record<string, string>>;
  private referenced = false;

  constructor(scope: Construct, id: string, entries: Record<string, Record<string, string>>) {
    super(scope, id, { mapping: entries });
    this.entries = entries;
  }

  public findInMap(key1: string, key2: string, defaultValue?: string): string {
    if (!Token.isUnresolved(key1) && !Token.isUnresolved(key2) && this.entries[key1]?.[key2] !== undefined) {
      return this.entries[key1][key2];
    }
    return Lazy.string({
      produce: () => {
        this.referenced = true;
        return defaultValue === undefined
          ? Fn.findInMap(this.logicalId, key1, key2)
          : Fn.findInMap(this.logicalId, key1, key2, defaultValue);
      },
    });
  }

  /** @internal */
  public _toCloudFormation(): object {
    return this.referenced ? super._toCloudFormation() : {};
  }
}

/**
 * The CIDR block Firehose connects from in the stack's Region, as a peer: allow it on a Redshift cluster's (or
 * workgroup's) security group, on its port, when the warehouse is publicly accessible. Resolved at synth time for a
 * concrete Region, through a mapping otherwise (rendered only when the peer is used).
 * @see https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-rs-vpc
 */
export function firehosePeer(scope: IConstruct): ec2.IPeer {
  const stack = Stack.of(scope);
  let mapping = stack.node.tryFindChild(MAPPING_ID) as CfnMapping | undefined;
  if (!mapping) {
    const entries: Record<string, Record<string, string>> = {};
    for (const region of RegionInfo.regions) {
      if (region.firehoseCidrBlock) entries[region.name] = { FirehoseCidrBlock: region.firehoseCidrBlock };
    }
    mapping = new FirehoseCidrBlocks(stack, MAPPING_ID, entries);
  }
  return ec2.Peer.ipv4(mapping.findInMap(stack.region, 'FirehoseCidrBlock'));
}
