/**
 * The document scanner accepts an MRZ only when two consecutive reads of the camera give the very same
 * text: a single lucky (or unlucky) frame never decides. A frame without a valid read breaks the run.
 */
export class MrzConfirmation {
  private last: string | undefined;
  private run = 0;

  constructor(private readonly required = 2) {
    if (!Number.isInteger(required) || required < 1)
      throw new RangeError('required must be a whole number ≥ 1');
  }

  /** Feeds one read (the MRZ text, or undefined for a frame without a valid MRZ); answers the MRZ once accepted. */
  push(read: string | undefined): string | undefined {
    if (read === undefined || read === '') {
      this.reset();
      return undefined;
    }
    this.run = read === this.last ? this.run + 1 : 1;
    this.last = read;
    return this.run >= this.required ? read : undefined;
  }

  /** How many consecutive identical reads the current one has (0 after a frame without a read). */
  get streak(): number {
    return this.run;
  }

  reset(): void {
    this.last = undefined;
    this.run = 0;
  }
}
