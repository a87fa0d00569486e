import { CfnMapping, Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';

/** The id aws-cdk-lib's DeliveryStream gives the same mapping, so a stack holding both carries it once. */
const MAPPING_ID = '@aws-cdk/aws-kinesisfirehose.CidrBlocks';

/**
 * The CIDR block Firehose connects from in the stack's Region, as a peer: allow it on a Redshift cluster's (or
 * workgroup's) security group, on its port, when the warehouse is publicly accessible. Resolved at synth time for a
 * concrete Region, through a lazy mapping otherwise.
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
    mapping = new CfnMapping(stack, MAPPING_ID, { mapping: entries, lazy: true });
  }
  return ec2.Peer.ipv4(mapping.findInMap(stack.region, 'FirehoseCidrBlock'));
}
