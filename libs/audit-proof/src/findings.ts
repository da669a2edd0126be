/** One problem the verifier found; it names the stream, version and position when it can. */
export type FindingKind =
  | 'altered'
  | 'removed'
  | 'inserted'
  | 'out-of-order'
  | 'truncated'
  | 'gap'
  | 'bad-signature'
  | 'key-outside-period'
  | 'unknown-key'
  | 'malformed';

export interface Finding {
  kind: FindingKind;
  message: string;
  streamId?: string;
  streamVersion?: number;
  position?: number;
  /** 1-based line of the bundle file. */
  line?: number;
}

/** Where an event sits, for naming it in a finding. */
export interface EventPlace {
  streamId: string;
  streamVersion: number;
  position: number;
  line: number;
}
