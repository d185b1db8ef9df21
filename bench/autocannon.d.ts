// Minimal types for the parts of autocannon the benchmark uses (it ships none).
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    /** Stop after this many requests (instead of a duration). */
    amount?: number;
    pipelining?: number;
    idReplacement?: boolean;
    /** Seconds before a request counts as timed out. @default 10 */
    timeout?: number;
    /** Per-request setup (the signed scenarios sign each request here, in the client). */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- autocannon passes its raw request object
    requests?: Array<{ setupRequest?: (req: any) => unknown }>;
  }
  interface Result {
    requests: { average: number; total: number };
    non2xx: number;
    errors: number;
    timeouts: number;
    '2xx': number;
    statusCodeStats: Record<string, { count: number } | undefined>;
  }
  function autocannon(options: Options): Promise<Result>;
  // eslint-disable-next-line @typescript-eslint/no-namespace -- the shape of a CommonJS export = function
  namespace autocannon {
    export type { Options, Result };
  }
  export = autocannon;
}
