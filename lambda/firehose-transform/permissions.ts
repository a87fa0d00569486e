/**
 * Every AWS call this handler makes: none (Firehose passes the records in and takes the result back). test/iam checks
 * that this list names every SDK command the handler imports: a new call fails the test until it is listed here and
 * granted by the construct.
 */
export const PERMISSIONS = {
  calls: [] as Array<{ command: string; actions: string[]; resource: string }>,
};
