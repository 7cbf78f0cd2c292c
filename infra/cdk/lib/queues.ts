/** The sweep worker's event source mapping (same as infra/template.yaml). */
export const SWEEP_WORKER_BATCH_SIZE = 10;
export const SWEEP_WORKER_BATCHING_WINDOW_SECONDS = 5;
export const SWEEP_WORKER_MAX_CONCURRENCY = 10;
/** A worker queue message that failed this many times moves to the dead-letter queue. */
export const SWEEP_WORKER_MAX_RECEIVE_COUNT = 3;

/**
 * The outlets' event source mapping (same as infra/stacks/functions.yaml): batches of up to 100
 * findings (BatchImportFindings takes 100 per call), gathered for at most 2 s, at most 2
 * concurrent invocations, which keeps Security Hub within its ~10 requests per second.
 */
export const OUTLETS_BATCH_SIZE = 100;
export const OUTLETS_BATCHING_WINDOW_SECONDS = 2;
export const OUTLETS_MAX_CONCURRENCY = 2;
/** An outlets queue message that failed this many times moves to the outlets dead-letter queue. */
export const OUTLETS_MAX_RECEIVE_COUNT = 5;
/** Days the outlets queue keeps a finding (SQS's default); its dead letters are kept 14. */
export const OUTLETS_RETENTION_DAYS = 4;
