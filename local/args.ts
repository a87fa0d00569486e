/** The command line of `npm run local`. */
import * as path from 'node:path';
import { ROOT } from './processes';

export interface Args { pipeline: 'iot' | 'clickstream'; once: boolean; records: number; app: string; stack: string; flink: boolean; malformedShare: number; timeoutSeconds: number; flinkStartSeconds: number }

export function parseArgs(argv: string[]): Args {
  const pipeline = argv[0];
  if (pipeline !== 'iot' && pipeline !== 'clickstream') throw new Error('usage: npm run local -- <iot|clickstream> [--once] [--records N] [--app cdk.out] [--stack Name] [--no-flink]');
  const args: Args = {
    pipeline,
    once: false,
    records: 200,
    app: path.join(ROOT, 'cdk.out'),
    stack: pipeline === 'iot' ? 'IotSensorPipeline' : 'ClickstreamPipeline',
    flink: true,
    malformedShare: 0.1,
    timeoutSeconds: 60,
    flinkStartSeconds: 300,
  };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--once') args.once = true;
    else if (a === '--records') args.records = Number(value());
    else if (a === '--app') args.app = path.resolve(value());
    else if (a === '--stack') args.stack = value();
    else if (a === '--no-flink') args.flink = false;
    else if (a === '--malformed-share') args.malformedShare = Number(value());
    else if (a === '--timeout') args.timeoutSeconds = Number(value());
    else if (a === '--flink-start-timeout') args.flinkStartSeconds = Number(value());
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(args.records) || args.records < 1) throw new Error(`--records must be a whole number >= 1, got ${args.records}`);
  return args;
}

