/**
 * The base of this library's errors. Not exported: jsii cannot model a subclass of `Error`, and it erases a base class
 * that is not exported, as aws-cdk-lib does with its own errors.
 */
abstract class KinesisPipelinesError extends Error {
  protected constructor(message: string) {
    super(message);
    // keeps `instanceof` true when the code is compiled to a target older than ES2015 classes
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/**
 * The error every construct of this library throws at synth time for input it cannot use: a prop out of range, props
 * that contradict each other, a file that is not there.
 *
 * Its message names the construct (kind and path), the prop, the value received and what is allowed, for example
 * `PipelineStream "App/Stack/Clicks": peakRecordsPerSecond must be a finite number > 0, got -5`; the same parts are
 * fields, so a program can tell which input was refused:
 *
 * ```ts
 * try {
 *   new PipelineStream(stack, 'Clicks', { profile });
 * } catch (e) {
 *   if (e instanceof PipelineValidationError) console.error(e.prop, e.value);
 *   throw e;
 * }
 * ```
 *
 * Only the library creates these errors. The class is marked internal for jsii, which cannot represent subclasses of
 * `Error` in other languages; TypeScript and JavaScript users import it from the package root as usual.
 *
 * @internal
 */
export class PipelineValidationError extends KinesisPipelinesError {
  /**
   * What received the input: a construct's kind and path (`PipelineStream "App/Stack/Clicks"`), a factory
   * (`SqlScript.bundled`) or a location in a file; undefined when the message names no owner.
   */
  public readonly source?: string;
  /** The path of the construct that refused the input, when a construct did. */
  public readonly constructPath?: string;
  /** The prop that was refused, when the error concerns one value (undefined for a combination of props). */
  public readonly prop?: string;
  /** The value that was refused (as received; a description such as `"40 days"` where the message shows one). */
  public readonly value?: unknown;
  /** What the prop allows (`must be > 0`), when the error concerns one value. */
  public readonly allowed?: string;

  constructor(message: string, details: PipelineValidationErrorDetails = {}) {
    super(message);
    this.name = 'PipelineValidationError';
    this.source = details.source;
    this.constructPath = details.constructPath;
    this.prop = details.prop;
    this.value = details.value;
    this.allowed = details.allowed;
  }
}

/**
 * The parts of a `PipelineValidationError`.
 *
 * @internal
 */
export interface PipelineValidationErrorDetails {
  readonly source?: string;
  readonly constructPath?: string;
  readonly prop?: string;
  readonly value?: unknown;
  readonly allowed?: string;
}
