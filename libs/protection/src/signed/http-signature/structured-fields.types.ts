/** The values the structured-field parser returns (see structured-fields.ts). */

/** Why parsing failed: not a structured field, a valid field outside this subset, a bound hit. */
export type SfFailure = 'syntax' | 'unsupported' | 'limit';

/** A token value (told apart from a string: they serialize differently). */
export class SfToken {
  constructor(readonly value: string) {}
}

/** A parameter value of the supported subset. */
export type SfParamValue = number | string | boolean | SfToken;

/** One parameter (a bare key has the value true). */
export interface SfParam {
  readonly key: string;
  readonly value: SfParamValue;
}

/** A string item; `text` is its canonical serialization, parameters included. */
export interface SfStringItem {
  readonly value: string;
  readonly params: readonly SfParam[];
  readonly text: string;
}

/** A dictionary member whose value is an inner list of strings; `text` serializes the value. */
export interface SfInnerListMember {
  readonly key: string;
  readonly items: readonly SfStringItem[];
  readonly params: readonly SfParam[];
  readonly text: string;
}

/** A dictionary member whose value is a byte sequence (`base64` as sent, validated). */
export interface SfBytesMember {
  readonly key: string;
  readonly base64: string;
  readonly params: readonly SfParam[];
}

/** Bounds on what one field may hold (distinct members, items per inner list, parameters). */
export interface SfLimits {
  readonly members: number;
  readonly items: number;
  readonly params: number;
}
